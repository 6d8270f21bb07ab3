"""The replay export panel: pick a format, a range and a title, render with a progress bar, download.

Call ``replay_panel(atlas, view)`` from ``streamlit_app.py`` (below the map). Rendering runs
only when the button is pressed; the bytes stay in ``st.session_state`` so the download
button survives reruns, and are dropped when the choices change.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import model, replay
from geo.atlas import Atlas
from layers.base import View

FORMATS = {"MP4 video": "mp4", "GIF animation": "gif", "HTML page (plays offline)": "html"}
MIMES = {"mp4": "video/mp4", "gif": "image/gif", "html": "text/html"}
STEPS = {"1 day": "1d", "7 days": "7d"}
DEFAULT_DAYS = 90
KEY = "replay_export"


def default_range(atlas: Atlas) -> tuple[dt.date, dt.date]:
    """The last ``DEFAULT_DAYS`` days of the data, or all of it when shorter."""
    first, last = atlas.dates
    return max(first, last - dt.timedelta(days=DEFAULT_DAYS)), last


def build(atlas: Atlas, view: View, fmt: str, start: dt.date, end: dt.date, step: str, title: str,
          size: str, progress: replay.Progress | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of a replay; DataError for bad choices. What the download button sends."""
    spec = replay.make_spec(atlas, start, end, step=step, size=size, title=title, source=view.source,
                            window_days=view.window_days)
    return replay.file_name(spec, fmt), replay.render_bytes(atlas, spec, fmt, progress)


def replay_panel(atlas: Atlas, view: View) -> None:
    """An expander with the replay export: choices, a render button with a progress bar, the download."""
    if not atlas.sources:
        return
    first, last = atlas.dates
    with st.expander("Export an animated replay (MP4, GIF or offline HTML)"):
        left, right = st.columns(2)
        label = left.radio("Format", list(FORMATS), key=f"{KEY}_format", horizontal=True)
        span = left.date_input("Dates", value=default_range(atlas), min_value=first, max_value=last,
                               key=f"{KEY}_dates")
        step = right.radio("One frame every", list(STEPS), key=f"{KEY}_step", horizontal=True)
        size = right.radio("Video size", replay.SIZES, key=f"{KEY}_size", horizontal=True,
                           disabled=FORMATS[label] == "html")
        title = st.text_input("Title", key=f"{KEY}_title", placeholder="e.g. The front, summer 2024")
        if not (isinstance(span, tuple | list) and len(span) == 2):
            st.info("Pick the first and the last date.")
            return
        fmt = FORMATS[label]
        choice = (fmt, span[0], span[1], STEPS[step], size, title, view.source, view.window_days)
        if st.button("Render replay", key=f"{KEY}_render", type="primary"):
            bar = st.progress(0.0, text="Rendering…")

            def report(done: int, total: int) -> None:
                bar.progress(min(1.0, done / max(total, 1)), text=f"Rendering… {done}/{total}")

            try:
                name, data = build(atlas, view, fmt, span[0], span[1], STEPS[step], title, size, report)
            except model.DataError as exc:
                bar.empty()
                st.error(str(exc))
                return
            bar.empty()
            st.session_state[KEY] = {"choice": choice, "name": name, "data": data}
        done = st.session_state.get(KEY)
        if done and done["choice"] == choice:
            st.download_button(f"Download {done['name']} ({len(done['data']) / 1e6:.1f} MB)", data=done["data"],
                               file_name=done["name"], mime=MIMES[fmt], key=f"{KEY}_download", on_click="ignore")
