"""geo.stats: areas per snapshot and status, front-line length series, strike counts; CLI and app panels."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest

from geo import analysis, model, stats
from geo.atlas import Atlas

ROOT = Path(__file__).resolve().parent.parent
GEOD = Geod(ellps="WGS84")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def km2(geom: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.segmentize(geom, 0.01))[0]) / 1e6


A, B, C = box(34, 48, 35, 49), box(34.5, 48, 35.5, 49), box(33, 45, 34, 46)


def build() -> Atlas:
    """Two snapshots on 2022-03-01 (morning, evening), one on 03-03; a second source; five strikes."""
    rows = [("ds", "2022-03-01T06:00", "occupied", A), ("ds", "2022-03-01T06:00", "occupied", B),  # overlap
            ("ds", "2022-03-01T06:00", "occupied_before", C),
            ("ds", "2022-03-01T20:00", "occupied", A), ("ds", "2022-03-01T20:00", "contested", box(35, 48, 35.2, 49)),
            ("ds", "2022-03-03T12:00", "occupied", B), ("isw", "2022-03-02T00:00", "occupied", A)]
    control = gpd.GeoDataFrame({"source": [r[0] for r in rows], "as_of": [ts(r[1]) for r in rows],
                                "status": [r[2] for r in rows]},
                               geometry=[shapely.segmentize(r[3], 0.01) for r in rows], crs=model.CRS)
    strikes = gpd.GeoDataFrame({
        "event_id": list("abcde"),
        "time": [ts("2022-02-28T23:59"), ts("2022-03-01T00:00"), ts("2022-03-01T13:00"), ts("2022-03-07T23:59:59"),
                 ts("2022-03-08T00:00")],
        "kind": ["missile", "drone", "missile", "artillery", "missile"],
        "admin1": ["Kharkivska oblast", None, "UA-63", None, "Kyiv"], "killed": [1, None, 2, 0, 5],
        "injured": [0, 1, None, 3, 5], "source": "test",
    }, geometry=[Point(34.2, 48.5), Point(35.7, 48.5), Point(36, 50), Point(34.2, 48.5), Point(30.5, 50.4)],
        crs=model.CRS)
    return Atlas(model.normalize("control", control)[0], model.empty("towns"),
                 model.normalize("strikes", strikes)[0])


@pytest.fixture
def atlas() -> Atlas:
    return build()


@pytest.fixture
def store(tmp_path) -> Path:
    build().save(tmp_path / "store")
    gpd.GeoDataFrame({"level": ["admin1", "admin1"], "admin1": ["Kharkiv", "Dnipropetrovsk"]},
                     geometry=[box(35.5, 48, 38, 51), box(33, 47, 35.5, 49)], crs=model.CRS
                     ).to_parquet(tmp_path / "store" / "boundaries.parquet")
    return tmp_path / "store"


def test_area_series_one_row_per_snapshot_and_status(atlas):
    s = stats.area_series(atlas, "ds")
    assert list(s.columns) == stats.AREA_COLUMNS
    assert s[["date", "as_of", "status"]].values.tolist() == [
        ["2022-03-01", "2022-03-01T06:00:00Z", "occupied_before"], ["2022-03-01", "2022-03-01T06:00:00Z", "occupied"],
        ["2022-03-01", "2022-03-01T06:00:00Z", "held"],
        ["2022-03-01", "2022-03-01T20:00:00Z", "occupied"], ["2022-03-01", "2022-03-01T20:00:00Z", "contested"],
        ["2022-03-01", "2022-03-01T20:00:00Z", "held"],
        ["2022-03-03", "2022-03-03T12:00:00Z", "occupied"], ["2022-03-03", "2022-03-03T12:00:00Z", "held"],
    ]
    first = s[s["as_of"] == "2022-03-01T06:00:00Z"].set_index("status")["area_km2"]
    assert first["occupied"] == pytest.approx(km2(box(34, 48, 35.5, 49)), rel=1e-6)  # union, not A + B
    assert first["held"] == pytest.approx(km2(box(34, 48, 35.5, 49)) + km2(C), rel=1e-6)
    assert s["share_pct"].tolist() == pytest.approx((s["area_km2"] / 603_628 * 100).tolist())
    assert set(stats.area_series(atlas)["source"]) == {"ds", "isw"}


def test_snapshot_areas_match_status_areas(atlas):
    zones = atlas.zones_at("2022-03-01", "ds")
    assert stats.snapshot_areas(zones).to_dict() == pytest.approx(analysis.status_areas(zones).to_dict(), rel=1e-9)


def test_frontline_series(atlas):
    f = stats.frontline_series(atlas, "isw")
    assert list(f.columns) == stats.FRONTLINE_COLUMNS
    assert f["length_km"].iloc[0] == pytest.approx(GEOD.geometry_length(shapely.segmentize(A, 0.01).exterior) / 1000,
                                                   rel=1e-4)


@pytest.mark.parametrize("by,expected", [
    ("kind", [["missile", 2, 3, 0], ["artillery", 1, 0, 3], ["drone", 1, 0, 1]]),
    ("admin1", [["Kharkiv", 2, 3, 0], ["unknown", 2, 0, 4]]),
])
def test_strike_counts(atlas, by, expected):
    table = stats.strike_counts(atlas, "2022-02-28", "2022-03-07", by)
    assert list(table.columns) == [by, "strikes", "killed", "injured"]
    assert table.values.tolist() == expected
    assert table["strikes"].sum() == 4  # 02-28 23:59 to 03-07 23:59:59 inclusive; 03-08 00:00 is out


def test_strike_counts_by_day_and_week_fill_empty_periods(atlas):
    days = stats.strike_counts(atlas, "2022-03-01", "2022-03-07", "day")
    assert days["day"].tolist() == [f"2022-03-0{d}" for d in range(1, 8)]
    assert days["strikes"].tolist() == [2, 0, 0, 0, 0, 0, 1]
    weeks = stats.strike_counts(atlas, "2022-02-27", "2022-03-08", "week")
    # 2022-02-28 and 2022-03-07 are Mondays; the window starts on Sunday 02-27
    assert weeks.values.tolist() == [["2022-02-21", 0, 0, 0], ["2022-02-28", 3, 3, 1], ["2022-03-07", 2, 5, 8]]


def test_strike_oblast_from_boundaries_when_the_field_is_empty(store):
    table = stats.strike_counts(Atlas.load(store), "2022-02-28", "2022-03-07", "admin1")
    assert table.values.tolist() == [["Kharkiv", 3, 3, 1], ["Dnipropetrovsk", 1, 0, 3]]


def test_strike_count_errors(atlas):
    with pytest.raises(model.DataError, match="unknown grouping 'month'"):
        stats.strike_counts(atlas, "2022-03-01", "2022-03-07", "month")
    with pytest.raises(model.DataError, match="before its start"):
        stats.strike_counts(atlas, "2022-03-07", "2022-03-01", "kind")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_stats_areas_and_frontline(store, tmp_path):
    out, front = tmp_path / "s.csv", tmp_path / "f.csv"
    result = run("stats", "--source", "ds", "--data", str(store), "--out", str(out), "--frontline-out", str(front))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.splitlines()[0] == "date,as_of,source,status,area_km2,share_pct"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 8 and rows[2]["status"] == "held"
    assert float(rows[2]["area_km2"]) == pytest.approx(km2(box(34, 48, 35.5, 49)) + km2(C), abs=0.001)
    lines = front.read_text().splitlines()
    assert lines[0] == "date,as_of,source,length_km" and len(lines) == 4


def test_cli_stats_strikes(store, tmp_path):
    out = tmp_path / "k.csv"
    result = run("stats", "--strikes", "--from", "2022-03-01", "--to", "2022-03-07", "--by", "day",
                 "--data", str(store), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines()[:3] == ["day,strikes,killed,injured", "2022-03-01,2,2,1", "2022-03-02,0,0,0"]
    bad = run("stats", "--by", "day", "--data", str(store), "--out", str(out))
    assert bad.returncode == 2 and "go with --strikes" in bad.stderr


def _panels(path: str) -> None:
    import datetime as dt

    import streamlit as st

    from geo.atlas import Atlas
    from layers import View
    from ui import changes as ui

    atlas = Atlas.load(path)
    ui.compare_control(atlas)
    ui.panels(atlas, View(dt.date(2022, 3, 3), "ds", 7, st.session_state.get("compare_to")))


def test_app_panels(store):
    at = AppTest.from_function(_panels, args=(str(store),), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert len(at.metric) == 0  # nothing is computed until a panel is picked
    at.button_group(key="changes_panel").set_value("What changed").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Gained by the invading force"].endswith("km²")
    assert metrics["Gained by the invading force"] != "0.0 km²"
    at.date_input(key="compare_to").set_value(dt.date(2022, 3, 2)).run()
    assert not at.exception, at.exception
    panel = at.button_group(key="changes_panel")
    panel.set_value("Areas over time").run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 1
    at.button_group(key="changes_panel").set_value("Strikes").run()
    at.selectbox(key="changes_strike_by").set_value("week").run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 1
    at.button_group(key="changes_panel").set_value("Sources").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Held (ds)"] and metrics["Held (isw)"]


def test_area_panel_waits_for_a_click_on_big_stores(store, monkeypatch):
    from ui import changes as ui

    monkeypatch.setattr(ui, "AUTO_SNAPSHOTS", 2)
    at = AppTest.from_function(_panels, args=(str(store),), default_timeout=60)
    at.run()
    at.button_group(key="changes_panel").set_value("Areas over time").run()
    assert not at.get("vega_lite_chart") and "3 ds snapshots" in at.caption[0].value
    at.button(key="changes_area_go").click().run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 1
