"""The naive way, for ``bench/run.py`` to compare against: a Streamlit app that, on each slider
step, draws the date's control zones with ``GeoDataFrame.explore()`` and hands that map to a
fresh ``st_folium`` (a new key per date, no ``feature_group_to_add``), so the whole map,
Leaflet state and geometry included, is rebuilt, re-sent and re-mounted every step.

Only the control zones are drawn (no towns or strikes), which flatters the naive way.
Leaflet comes from the app's local static files, as in the real app, so it works offline.
When env ``FRONTLINE_TIMINGS`` names a file, each script run appends ``{"run", "ms"}`` to it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from geo.atlas import Atlas  # noqa: E402
from layers.basemap import OfflineMap  # noqa: E402

# explore() builds a plain folium.Map: load only Leaflet, from /app/static (no CDN).
folium.Map.default_js = OfflineMap.default_js
folium.Map.default_css = OfflineMap.default_css


@st.cache_resource
def load_atlas(path: str | None) -> Atlas:
    return Atlas.load(path)


def main() -> None:
    st.set_page_config(page_title="frontline (naive)", layout="wide")
    atlas = load_atlas(os.environ.get("FRONTLINE_DATA") or None)
    first, last = atlas.dates
    if "date" not in st.session_state:
        st.session_state.date = dt.date.fromisoformat(st.query_params.get("date", last.isoformat()))
    st.slider("Date", min_value=first, max_value=last, step=dt.timedelta(days=1), key="date", format="YYYY-MM-DD")
    date = st.session_state.date
    st.markdown(f"#### {date:%d %B %Y}")
    zones = atlas.zones_at(date, atlas.sources[0])
    m = zones[["status", "label", "as_of", "geometry"]].assign(as_of=zones["as_of"].astype(str)).explore(
        column="status", tiles=None, categorical=True)
    st_folium(m, key=f"map-{date}", height=640, use_container_width=True)


started = time.perf_counter()
main()
if os.environ.get("FRONTLINE_TIMINGS"):
    with open(os.environ["FRONTLINE_TIMINGS"], "a", encoding="utf-8") as f:
        f.write(json.dumps({"run": "naive", "ms": round(1000 * (time.perf_counter() - started), 2)}) + "\n")
