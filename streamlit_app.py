"""frontline: the Streamlit app. UI only: widgets, view state, the map and downloads.

The base map is deterministic (offline outline, legend); everything that depends on the
date goes to ``st_folium`` as ``feature_group_to_add``, so a slider step or a replay frame
never re-mounts the map and the user's pan and zoom survive. The view (date, window,
layers, source) is mirrored in ``st.query_params`` so a link reopens it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo import analysis, export, model, timeline
from geo.atlas import Atlas
from layers import REGISTRY, View, step_groups
from layers.basemap import STATIC_URL, AssetStore, ForgetReplacedGroups, Legend, base_map, ensure_static
from layers.prefetch import Prefetcher, upcoming
from ui import changes as ui_changes
from ui.replay import replay_panel
from ui.text import md
from ui.timings import timed, watch
from ui.upload import upload_panel

HERE = Path(__file__).resolve().parent
SPEEDS = (1, 2, 5, 10)  # days per second
MIN_TICK_S = 0.4
PREFETCH = os.environ.get("FRONTLINE_PREFETCH", "1") != "0"  # warm the next dates in the background
WINDOWS = timeline.WINDOWS
PAGE_CSS = "<style>.block-container{padding-top:1.2rem} h1{font-size:1.6rem!important;padding:0!important}</style>"


@st.cache_resource
def assets() -> AssetStore:
    """Map data published as static files the browser fetches and caches (outlines, towns, and
    each date's zones and strikes); one store per server, so data already published is not
    re-encoded on a rerun."""
    return AssetStore(HERE / "static" / "generated", f"{STATIC_URL}/generated",
                      budget_mb=float(os.environ.get("FRONTLINE_ASSET_MB", 500)))


@st.cache_resource
def prefetcher() -> Prefetcher:
    """The server's background worker that prepares the next dates while the user looks at this one."""
    return Prefetcher()


@st.cache_resource(show_spinner="Loading data…")
def load_atlas(path: str | None) -> Atlas:
    """The data directory's layers, loaded once per server and shared read-only by sessions."""
    return watch(Atlas.load(path))


def tick(speed: int) -> tuple[float, int]:
    """(seconds between frames, days advanced per frame) for ``speed`` days per second."""
    days = max(1, math.ceil(speed * MIN_TICK_S))
    return days / speed, days


def init_state(atlas: Atlas) -> list[str]:
    """Read the URL into session state once per session; returns problems with the URL as sentences."""
    if "date" in st.session_state:
        return []
    first, last = atlas.dates
    q = st.query_params
    problems: list[str] = []
    st.session_state.date = last
    if "date" in q:
        try:
            st.session_state.date = timeline.check_date(q["date"], first, last)
        except model.DataError as exc:
            problems.append(f"The link's date is not usable: {exc}. Showing {last}.")
    window = q.get("window", "7")
    st.session_state.window = int(window) if window in {str(w) for w in WINDOWS} else 7
    if window not in {str(w) for w in WINDOWS}:
        choices = ", ".join(map(str, WINDOWS))
        problems.append(f"The link's strike window '{window}' is not one of {choices} days; using 7.")
    wanted = [n for n in q.get("layers", ",".join(n for n, lyr in REGISTRY.items() if lyr.default_on)).split(",") if n]
    for name in wanted:
        if name not in REGISTRY:
            problems.append(f"The link names an unknown layer '{name}'; layers are {', '.join(REGISTRY)}.")
    for name in REGISTRY:
        st.session_state[f"layer_{name}"] = name in wanted
    sources = atlas.sources
    st.session_state.source = q["source"] if q.get("source") in sources else (sources[0] if sources else None)
    if q.get("source") and q["source"] not in sources:
        problems.append(f"The link's source '{q['source']}' is not loaded; using {st.session_state.source}.")
    st.session_state.playing = False
    st.session_state.speed = 2
    return problems


def sidebar(atlas: Atlas) -> None:
    """Layer toggles, strike window, source, replay controls and the basemap choice."""
    sb = st.sidebar
    sb.header("Layers")
    for name, layer in REGISTRY.items():
        if layer.available(atlas):
            sb.checkbox(layer.title, key=f"layer_{name}")
    sb.radio("Strike window (days up to the date)", WINDOWS, key="window", horizontal=True,
             format_func=lambda w: f"{w} day" if w == 1 else f"{w} days")
    if len(atlas.sources) > 1:
        sb.selectbox("Control source", atlas.sources, key="source")
    ui_changes.compare_control(atlas)
    sb.header("Replay")
    sb.selectbox("Speed", SPEEDS, key="speed", format_func=lambda s: f"{s} day{'s' if s > 1 else ''} per second")
    label = "■ Pause" if st.session_state.playing else "▶ Play"
    sb.button(label, key="play_button", on_click=_toggle_play, args=(atlas,), use_container_width=True)
    sb.header("Basemap")
    sb.toggle("Online map tiles (OpenStreetMap)", key="tiles", help="Off: the offline vector basemap only.")
    sb.caption("Data: " + " · ".join(md(line) for line in atlas.attribution()))


def _toggle_play(atlas: Atlas) -> None:
    st.session_state.playing = not st.session_state.playing
    if st.session_state.playing and st.session_state.date >= atlas.dates[1]:
        st.session_state.date = atlas.dates[0]  # replay from the start
    st.session_state.last_tick = time.monotonic()


def _from_slider() -> None:
    st.session_state.date = st.session_state.date_slider


def _from_input() -> None:
    st.session_state.date = st.session_state.date_input


def active_layers() -> list[str]:
    """Names of the layers switched on, in registry order."""
    return [n for n in REGISTRY if st.session_state.get(f"layer_{n}")]


def advance(atlas: Atlas) -> None:
    """When playing and a tick is due, move the date forward (stop at the end)."""
    if not st.session_state.playing:
        return
    interval, days = tick(st.session_state.speed)
    now = time.monotonic()
    if now - st.session_state.get("last_tick", 0.0) < 0.8 * interval:
        return
    st.session_state.last_tick = now
    last = atlas.dates[1]
    st.session_state.date = min(last, st.session_state.date + dt.timedelta(days=days))
    if st.session_state.date >= last:
        st.session_state.playing = False
        st.rerun(scope="app")


def sync_url() -> None:
    """Mirror the view in the URL."""
    st.query_params.update({
        "date": st.session_state.date.isoformat(),
        "window": str(st.session_state.window),
        "layers": ",".join(active_layers()),
        **({"source": st.session_state.source} if st.session_state.source else {}),
    })


def summary(atlas: Atlas, view: View) -> str:
    """One line: the snapshot shown and the held area at the date."""
    if not view.source:
        return "No control zones loaded."
    as_of = atlas.snapshot_at(view.date, view.source)
    if as_of is None:
        return f"No {md(view.source)} snapshot on or before {view.date}."
    held = atlas.held_km2(view.date, view.source)
    return (f"Control: **{md(view.source)}** snapshot of {as_of:%Y-%m-%d} · held by the invading force: "
            f"**{held:,.0f} km²** ({analysis.share_pct(held):.1f}% of Ukraine)")


def map_panel(atlas: Atlas) -> None:
    """Date controls and the map; rerun alone on each step and, when playing, on a timer."""
    advance(atlas)
    first, last = atlas.dates
    st.session_state.date_slider = st.session_state.date
    st.session_state.date_input = st.session_state.date
    left, right = st.columns([5, 1])
    left.slider("Date", min_value=first, max_value=last, step=dt.timedelta(days=1), key="date_slider",
                on_change=_from_slider, format="YYYY-MM-DD")
    right.date_input("Go to date", min_value=first, max_value=last, key="date_input", on_change=_from_input)
    view = View(st.session_state.date, st.session_state.source, st.session_state.window,
                st.session_state.get("compare_to"))
    st.markdown(f"#### {view.date:%d %B %Y}\n{summary(atlas, view)}")
    on = active_layers()
    layer_groups, sections = step_groups(atlas, view, on)
    assets().publish_groups(layer_groups)
    reset = folium.FeatureGroup(name="reset", control=False)
    ForgetReplacedGroups().add_to(reset)
    legend = folium.FeatureGroup(name="legend", control=False)
    Legend(sections).add_to(legend)
    groups = [reset, *layer_groups, legend]
    m = base_map([e for lyr in REGISTRY.values() if lyr.available(atlas) for e in lyr.base_elements(atlas)],
                 tiles=st.session_state.get("tiles", False), assets=assets())
    if PREFETCH:
        step = tick(st.session_state.speed)[1] if st.session_state.playing else 1
        prefetcher().schedule(atlas, upcoming(view, step, first, last), on, assets().publish_groups)
    st_folium(m, key="map", feature_group_to_add=groups, returned_objects=[], height=640,
              use_container_width=True)
    sync_url()
    if not st.session_state.playing:
        layers = [n for n in active_layers() if n in export.EXPORT_LAYERS] or list(export.EXPORT_LAYERS)
        st.download_button(
            f"Download GeoJSON snapshot of {view.date}",
            data=lambda: export.dumps(export.snapshot(atlas, view.date, layers, view.source, view.window_days)),
            file_name=f"frontline-{view.date}.geojson", mime="application/geo+json", key="download_snapshot",
            on_click="ignore",
        )
        ui_changes.panels(atlas, view)


def data_choices() -> dict[str, str | None]:
    """Data directories the user may pick: the embedded data, $FRONTLINE_DATA, and each store
    folder under $FRONTLINE_STORES (default ./stores). Label -> path (None = embedded)."""
    choices: dict[str, str | None] = {}
    if os.environ.get("FRONTLINE_DATA"):
        choices[f"$FRONTLINE_DATA ({Path(os.environ['FRONTLINE_DATA']).name})"] = os.environ["FRONTLINE_DATA"]
    choices["Embedded sample data"] = None
    stores = Path(os.environ.get("FRONTLINE_STORES", HERE / "stores"))
    if stores.is_dir():
        for sub in sorted(p for p in stores.iterdir() if (p / "atlas.json").exists()):
            choices[f"Store: {sub.name}"] = str(sub)
    return choices


def main() -> None:
    st.set_page_config(page_title="frontline", page_icon="🗺️", layout="wide")
    ensure_static(HERE / "static")
    choices = data_choices()
    label = st.sidebar.selectbox("Data", list(choices), key="data_dir") if len(choices) > 1 else next(iter(choices))
    if st.session_state.get("loaded_data") != label:  # a new data directory: start the view afresh
        for key in ("date", "loaded_data"):
            st.session_state.pop(key, None)
    try:
        atlas = load_atlas(choices[label])
    except model.DataError as exc:
        st.error(f"Cannot load the data: {md(exc)}")
        st.stop()
    st.session_state.loaded_data = label
    atlas = upload_panel(atlas)  # the session's uploads on top of the shared data
    for problem in init_state(atlas):
        st.warning(md(problem))  # problems quote the URL's parameters
    st.markdown(PAGE_CSS, unsafe_allow_html=True)  # our own constant CSS, no data
    st.title("frontline")
    sidebar(atlas)
    interval = tick(st.session_state.speed)[0] if st.session_state.playing else None
    st.fragment(run_every=interval)(timed(map_panel))(atlas)
    replay_panel(atlas, View(st.session_state.date, st.session_state.source, st.session_state.window))


timed(main)()
