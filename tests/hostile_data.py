"""A small Atlas whose every text field carries an injection payload (shared by the injection tests).

Each payload would do something visible if it were ever treated as markup, a template or a
link: set ``window.__pwned``, show ``49``, or make the browser fetch ``evil.example``.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from geo import model
from geo.atlas import Atlas

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
JS_LINK = "javascript:window.__pwned=1"
TEMPLATE = "{{7*7}}"
DOLLAR = "${window.__pwned=1}"
MARKDOWN = "[click](javascript:window.__pwned=1) ![t](http://evil.example/track.png)"
PAYLOADS = (SCRIPT, IMG, JS_LINK, TEMPLATE, DOLLAR, MARKDOWN)
# A source name is shown in the sidebar, the summary line, panel captions and widget labels.
SOURCE = f"src {SCRIPT} {MARKDOWN}"
DAY = dt.date(2022, 3, 5)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def hostile_frames() -> dict[str, gpd.GeoDataFrame]:
    """Two snapshots of a hostile source plus a plain one, three towns, three strikes: raw, not normalized."""
    control = gpd.GeoDataFrame({
        "source": [SOURCE, SOURCE, SOURCE, SOURCE, "plain"],
        "as_of": [ts("2022-03-01"), ts("2022-03-01"), ts("2022-03-04"), ts("2022-03-04"), ts("2022-03-01")],
        "status": ["occupied", "contested", "occupied", "contested", "occupied"],
        "label": [f"zone {SCRIPT}", f"zone {IMG}", f"zone {SCRIPT}", f"zone {IMG}", "plain"],
        "note": [f"{TEMPLATE} {DOLLAR}", MARKDOWN, f"{TEMPLATE} {DOLLAR}", MARKDOWN, ""],
        "source_url": [JS_LINK, "http://ok.example/a", JS_LINK, "http://ok.example/a", ""],
    }, geometry=[box(33, 48, 35, 50), box(35, 48, 36, 50), box(33, 48, 35.5, 50), box(35.5, 48, 36, 50),
                 box(33.5, 48, 35.2, 50)], crs=model.CRS)
    towns = gpd.GeoDataFrame({
        "town_id": [f"t{i} {p}" for i, p in enumerate(PAYLOADS[:3])],
        "name": [f"Capital {SCRIPT}", f"Centre {IMG}", f"Town {TEMPLATE} {DOLLAR}"],
        "name_uk": [IMG, SCRIPT, MARKDOWN], "population": [3_000_000, 400_000, 9_000],
        "admin1": [SCRIPT, DOLLAR, JS_LINK], "kind": ["capital", "oblast_centre", "town"],
        "source": [SOURCE] * 3, "note": [MARKDOWN, TEMPLATE, IMG],
    }, geometry=[Point(34, 49), Point(35.25, 49.5), Point(31.5, 48.5)], crs=model.CRS)
    strikes = gpd.GeoDataFrame({
        "event_id": [f"s{i} {SCRIPT}" for i in range(3)],
        "time": [ts("2022-03-03T10:00"), ts("2022-03-04"), ts("2022-03-05T08:00")],
        "time_precision": ["minute", "day", "minute"], "kind": ["missile", "drone", "artillery"],
        "weapon": [SCRIPT, IMG, TEMPLATE], "target": [IMG, DOLLAR, SCRIPT], "place": [f"Place {SCRIPT}", IMG, DOLLAR],
        "admin1": [TEMPLATE, SCRIPT, IMG], "killed": [1, 0, 2], "injured": [0, 3, 1],
        "description": [" ".join(PAYLOADS), SCRIPT, IMG], "source": [SOURCE] * 3,
        "source_url": [JS_LINK, f"http://ok.example/?q={SCRIPT}", MARKDOWN], "location_precision": ["exact"] * 3,
    }, geometry=[Point(32, 48.5), Point(33.5, 49.5), Point(35.2, 48.8)], crs=model.CRS)
    return {"control": control, "towns": towns, "strikes": strikes}


def hostile_atlas() -> Atlas:
    """The hostile frames, validated, with a hostile store name and no attribution notes (names are shown)."""
    frames = {k: model.normalize(k, v)[0] for k, v in hostile_frames().items()}
    return Atlas(**frames, manifest={"name": f"store {SCRIPT}"})
