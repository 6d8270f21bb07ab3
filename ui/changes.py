"""App panels for "what changed": areas over time, the diff of two dates, strike statistics, sources.

The lead calls ``compare_control(atlas)`` in the sidebar (it sets ``st.session_state.compare_to``
for ``View(..., compare_to=...)``) and ``panels(atlas, view)`` below the map. Only the chosen
panel runs (a segmented control, not tabs: tabs would compute all four on every rerun). All
figures come from ``geo.changes`` / ``geo.stats``, cached in ``atlas.cache``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from geo import changes, export, model, stats
from geo.atlas import Atlas
from layers.base import View
from layers.changes import CHANGE_STYLE, comparison_dates
from layers.style import STATUS_STYLE, STRIKE_STYLE
from ui.text import md

if TYPE_CHECKING:
    import altair as alt

STRIKE_WINDOWS = (7, 30, 90, 365)
AUTO_SNAPSHOTS = 150  # above this, the area series waits for a click
STATUS_COLORS = {**{k: v["color"] for k, v in STATUS_STYLE.items()}, "held": "#000000"}


def compare_control(atlas: Atlas) -> None:
    """Sidebar date input for the changes layer's comparison date (empty: the previous snapshot)."""
    first, last = atlas.dates
    st.sidebar.date_input("Changes since", value=None, min_value=first, max_value=last, key="compare_to",
                          help="The other date of the Changes layer and panel. Empty: the previous snapshot.")


def area_frame(atlas: Atlas, source: str, progress: stats.Progress | None = None) -> pd.DataFrame:
    """The area series of ``source`` with a datetime column for charting (cached in the atlas as one entry)."""
    def make() -> pd.DataFrame:
        series = stats.area_series(atlas, source, progress)
        return series.assign(time=pd.to_datetime(series["as_of"], utc=True).dt.tz_convert(None))

    return atlas.cache.get(("area-series", source), make)


def area_chart(data: pd.DataFrame, date: dt.date) -> alt.LayerChart:
    import altair as alt  # imported on first use: it adds ~0.3 s to the app's cold start

    """km² per status over time with a rule at ``date``; hovering a point shows its date and value."""
    statuses = [s for s in STATUS_COLORS if s in set(data["status"])]
    color = alt.Color("status:N", scale=alt.Scale(domain=statuses, range=[STATUS_COLORS[s] for s in statuses]),
                      legend=alt.Legend(orient="bottom", title=None))
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("time:T", title="Snapshot (UTC)"), y=alt.Y("area_km2:Q", title="km²"), color=color,
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("area_km2:Q", title="km²", format=",.0f"),
                 alt.Tooltip("share_pct:Q", title="% of Ukraine", format=".2f")])
    rule = alt.Chart(pd.DataFrame({"time": [pd.Timestamp(date)]})).mark_rule(strokeDash=[4, 3]).encode(x="time:T")
    return (lines + rule).properties(height=320)


def area_panel(atlas: Atlas, view: View) -> None:
    """The areas-over-time chart; on big stores the first computation waits for a click and shows progress."""
    if not view.source:
        st.info("No control zones loaded.")
        return
    n = len(atlas.snapshots(view.source))
    if n > AUTO_SNAPSHOTS and not st.session_state.get("changes_area_ok"):
        st.caption(f"{n} {md(view.source)} snapshots: the first computation takes about {n * 0.1:.0f} s, "
                   "then the chart is shared by every session.")
        if not st.button("Compute areas over time", key="changes_area_go"):
            return
        st.session_state.changes_area_ok = True
    bar = st.progress(0.0, text="Measuring areas…")
    data = area_frame(atlas, view.source, lambda i, total: bar.progress(i / total, text=f"Snapshot {i}/{total}"))
    bar.empty()
    st.altair_chart(area_chart(data, view.date), width="stretch")


def _current_diff(atlas: Atlas, view: View) -> changes.Diff | None:
    dates = comparison_dates(atlas, view) if view.source else None
    return changes.diff(atlas, *dates, view.source) if dates else None


def towns_table(d: changes.Diff) -> pd.DataFrame:
    """Towns that changed hands, most populous first, as shown in the app."""
    return pd.DataFrame({
        "Town": d.towns["name"], "Population": d.towns["population"], "Oblast": d.towns["admin1"],
        f"Status {d.snapshot_from:%Y-%m-%d}": d.towns["status_from"],
        f"Status {d.snapshot_to:%Y-%m-%d}": d.towns["status_to"],
    })


def diff_panel(atlas: Atlas, view: View) -> None:
    """Totals, per-oblast breakdown, towns that changed hands and the GeoJSON download."""
    try:
        d = _current_diff(atlas, view)
    except model.DataError as exc:
        st.warning(md(exc))
        return
    if d is None:
        st.info("No earlier snapshot to compare with: choose a date under 'Changes since'.")
        return
    t = d.totals()
    st.caption(f"{md(d.source)}: snapshot of {d.snapshot_from:%Y-%m-%d %H:%M} → {d.snapshot_to:%Y-%m-%d %H:%M} UTC; "
               "held = occupied + occupied before 2022; km² on the WGS84 ellipsoid, full-resolution zones.")
    cols = st.columns(4)
    cols[0].metric(CHANGE_STYLE["gain"]["label"], f"{t['gain']:,.1f} km²")
    cols[1].metric(CHANGE_STYLE["loss"]["label"], f"{t['loss']:,.1f} km²")
    cols[2].metric("Net change of held ground", f"{t['net']:+,.1f} km²")
    cols[3].metric("Grey zone appeared / vanished", f"{t['contested_gain']:,.0f} / {t['contested_loss']:,.0f} km²")
    dropped = sum(s["count"] for s in d.slivers.values())
    st.caption(f"{dropped} sliver(s) from re-drawn edges dropped "
               f"({sum(s['area_km2'] for s in d.slivers.values()):.2f} km²; {changes.SLIVER_RULE}).")
    if d.admin1_loaded:
        st.dataframe(d.by_admin1().round(1), width="stretch")
    else:
        st.info(f"Per-oblast breakdown: {changes.ADMIN1_HINT}.")
    st.markdown(f"**Towns that changed hands: {len(d.towns)}**")
    if len(d.towns):
        st.dataframe(towns_table(d), hide_index=True, width="stretch")
    st.download_button("Download the changes as GeoJSON",
                       data=lambda: export.dumps(changes.to_geojson(d, atlas)),
                       file_name=f"frontline-changes-{d.date_from}-{d.date_to}.geojson",
                       mime="application/geo+json", key="changes_download", on_click="ignore")


def strike_chart(table: pd.DataFrame, by: str) -> alt.Chart:
    import altair as alt

    """Bars of strike counts by ``by`` with hover values."""
    x = alt.X(f"{by}:N", sort=None if by in ("day", "week") else "-y", title=by)
    bars = alt.Chart(table).mark_bar().encode(
        x=x, y=alt.Y("strikes:Q", title="strikes"),
        tooltip=[alt.Tooltip(f"{by}:N"), "strikes:Q", "killed:Q", "injured:Q"])
    if by == "kind":
        kinds = list(table["kind"])
        bars = bars.encode(color=alt.Color("kind:N", legend=None, scale=alt.Scale(
            domain=kinds, range=[STRIKE_STYLE.get(k, {"color": "#566573"})["color"] for k in kinds])))
    return bars.properties(height=260)


def strike_panel(atlas: Atlas, view: View) -> None:
    """Strike counts in a window ending at the date, by kind, oblast, day or week."""
    left, right = st.columns(2)
    days = left.selectbox("Window (days up to the date)", STRIKE_WINDOWS, index=1, key="changes_strike_window")
    by = right.selectbox("Count by", stats.STRIKE_BY, key="changes_strike_by")
    start = view.date - dt.timedelta(days=days - 1)
    table = stats.strike_counts(atlas, start, view.date, by)
    st.caption(f"{int(table['strikes'].sum())} strike report(s) from {start} to {view.date} (UTC).")
    if table["strikes"].sum():
        st.altair_chart(strike_chart(table, by), width="stretch")


def sources_panel(atlas: Atlas, view: View) -> None:
    """Held ground of two sources at the date and where they disagree."""
    others = [s for s in atlas.sources if s != view.source]
    if not view.source or not others:
        st.info("Load a second control source (e.g. ISW next to DeepState) to compare them.")
        return
    b = st.selectbox(f"Compare {md(view.source)} with", others, key="changes_compare_source")
    try:
        c = changes.compare_sources(atlas, view.date, view.source, b)
    except model.DataError as exc:
        st.warning(md(exc))
        return
    f = c.figures()
    name_a, name_b = md(c.a), md(c.b)
    cols = st.columns(5)
    cols[0].metric(f"Held ({name_a})", f"{f['held_a']:,.0f} km²")
    cols[1].metric(f"Held ({name_b})", f"{f['held_b']:,.0f} km²")
    cols[2].metric("Both agree", f"{f['both']:,.0f} km²")
    cols[3].metric(f"{name_a} only", f"{f['a_only']:,.0f} km²")
    cols[4].metric(f"{name_b} only", f"{f['b_only']:,.0f} km²")
    st.caption(f"Snapshots: {name_a} {c.snapshot_a:%Y-%m-%d %H:%M}, {name_b} {c.snapshot_b:%Y-%m-%d %H:%M} UTC. "
               "Switch on 'Where sources disagree' to see the areas on the map.")


def panels(atlas: Atlas, view: View) -> None:
    """One panel at a time (only the chosen one is computed): areas, changes, strikes, sources."""
    choice = st.segmented_control("Analysis", list(PANELS), default=None, key="changes_panel")
    if choice is None:  # nothing is computed until an analysis is picked
        st.caption("Pick an analysis: what changed since the comparison date, areas over time, strike "
                   "statistics, or how two sources compare.")
        return
    PANELS[choice](atlas, view)


PANELS = {"What changed": diff_panel, "Areas over time": area_panel, "Strikes": strike_panel,
          "Sources": sources_panel}
