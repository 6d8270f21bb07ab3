"""Shared fixtures: tiny atlases built in code, and the real-data folder."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import model
from geo.atlas import Atlas

ROOT = Path(__file__).resolve().parent.parent


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def tiny_frames() -> dict[str, gpd.GeoDataFrame]:
    """Two snapshots of one source over a 2x1 degree box, three towns, four strikes."""
    control = gpd.GeoDataFrame(
        {
            "source": ["t", "t", "t"],
            "as_of": [ts("2022-03-01T10:00"), ts("2022-03-05T10:00"), ts("2022-03-05T10:00")],
            "status": ["occupied", "occupied", "contested"],
            "label": ["east", "east+", "grey"],
            "note": ["", "", ""],
            "source_url": ["", "", ""],
        },
        geometry=[box(31, 48, 32, 49), box(30.5, 48, 32, 49), box(30, 48, 30.5, 49)],
        crs=model.CRS,
    )
    towns = gpd.GeoDataFrame(
        {
            "town_id": ["a", "b", "c"],
            "name": ["Alpha", "Bravo", "Charlie <b>"],
            "name_uk": ["А", "Б", "В"],
            "population": [100_000, 20_000, 5_000],
            "admin1": ["Kyiv", "Kyiv", "Kyiv"],
            "kind": ["city", "town", "town"],
            "source": ["test", "test", "test"],
            "note": ["", "", ""],
        },
        geometry=[Point(31.5, 48.5), Point(30.75, 48.5), Point(30.25, 48.5)],
        crs=model.CRS,
    )
    strikes = gpd.GeoDataFrame(
        {
            "event_id": ["s1", "s2", "s3", "s4"],
            "time": [ts("2022-02-27T23:30"), ts("2022-03-01T00:00"), ts("2022-03-04T12:00"), ts("2022-03-05T23:59")],
            "time_precision": ["minute", "day", "hour", "minute"],
            "kind": ["missile", "drone", "artillery", "missile"],
            "weapon": ["", "", "", ""],
            "target": ["", "", "", ""],
            "place": ["P1", "P2", "P3", "P4"],
            "admin1": ["Kyiv"] * 4,
            "killed": [1, 0, None, 3],
            "injured": [2, 0, None, 4],
            "description": ["d", "d", "d", "<script>window.__pwned=1</script>"],
            "source": ["test"] * 4,
            "source_url": ["", "", "", "javascript:alert(1)"],
            "location_precision": ["exact"] * 4,
        },
        geometry=[Point(30.2, 48.2), Point(30.3, 48.3), Point(31.2, 48.6), Point(31.4, 48.4)],
        crs=model.CRS,
    )
    return {"control": control, "towns": towns, "strikes": strikes}


@pytest.fixture
def tiny() -> Atlas:
    frames = {k: model.normalize(k, v)[0] for k, v in tiny_frames().items()}
    return Atlas(**frames, manifest={"attribution": {"t": "Test source"}})


@pytest.fixture(scope="session")
def default_atlas() -> Atlas:
    return Atlas.load()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real-world extracts; fails (not skips) when FRONTLINE_SHARED_DATA points nowhere."""
    value = os.environ.get("FRONTLINE_SHARED_DATA", str(ROOT.parent / "shared" / "data"))
    path = Path(value)
    if not (path / "SOURCES.md").exists():
        pytest.fail(f"FRONTLINE_SHARED_DATA={value} does not hold the shared extracts (SOURCES.md missing)")
    return path
