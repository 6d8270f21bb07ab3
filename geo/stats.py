"""Figures over time: km² per status per snapshot and source, front-line length, strike counts.

Areas (WGS84 ellipsoid) are measured on the union of each status (full resolution), with a ``held`` row
(occupied ∪ occupied_before); shares are of Ukraine's 603,628 km². The series are batch jobs
over every snapshot and are not cached here (that would flood ``atlas.cache``): callers cache
the whole result under one key, as ``ui.changes`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import analysis, frontline, model, timeline
from geo.admin import canonical_admin1
from geo.atlas import Atlas
from geo.changes import admin1_boundaries, resolve_source

AREA_COLUMNS = ["date", "as_of", "source", "status", "area_km2", "share_pct"]
FRONTLINE_COLUMNS = ["date", "as_of", "source", "length_km"]
STRIKE_BY = ("kind", "admin1", "day", "week")
UNKNOWN = "unknown"
Progress = Callable[[int, int], None]


def iso(t: pd.Timestamp) -> str:
    """A UTC time as ISO 8601 with a ``Z``."""
    return t.tz_convert("UTC").isoformat().replace("+00:00", "Z")


def _snapshots(atlas: Atlas, source: str | None) -> list[tuple[str, pd.Timestamp, gpd.GeoDataFrame]]:
    """(source, as_of, zones) of every snapshot, oldest first per source."""
    sources = [resolve_source(atlas, source)] if source is not None else sorted(atlas.sources)
    out = []
    for name in sources:
        rows = atlas.control[atlas.control["source"] == name]
        out.extend((name, t, zones) for t, zones in rows.groupby("as_of", sort=True))
    return out


def snapshot_areas(zones: gpd.GeoDataFrame) -> pd.Series:
    """km² per status of one snapshot plus ``held`` (as ``analysis.status_areas``, each union computed once)."""
    unions = {s: analysis.status_union(zones, (s,)) for s in zones["status"].unique()}
    held = [unions[s] for s in model.HELD if s in unions]
    areas = {s: analysis.area_km2(g) for s, g in unions.items()}
    areas["held"] = analysis.area_km2(shapely.union_all(held)) if held else 0.0
    return pd.Series(areas, name="area_km2", dtype=float)


def area_series(atlas: Atlas, source: str | None = None, progress: Progress | None = None) -> pd.DataFrame:
    """One row per snapshot and status (``AREA_COLUMNS``), all sources when ``source`` is None.

    ``date`` is the snapshot's UTC calendar date, ``as_of`` its time; two snapshots on one day
    are two sets of rows. Statuses absent from a snapshot have no row; ``held`` always has one.
    A batch job: it reads every snapshot (about 0.1 s each on DeepState); callers cache the result.
    """
    snaps = _snapshots(atlas, source)
    rows = []
    for n, (name, t, zones) in enumerate(snaps, 1):
        areas = snapshot_areas(zones)
        order = [s for s in (*model.STATUSES, "held") if s in areas.index]
        rows.extend((t.date().isoformat(), iso(t), name, s, float(areas[s]), analysis.share_pct(areas[s]))
                    for s in order)
        if progress:
            progress(n, len(snaps))
    return pd.DataFrame(rows, columns=AREA_COLUMNS)


def frontline_series(atlas: Atlas, source: str | None = None, progress: Progress | None = None) -> pd.DataFrame:
    """Front-line length in km per snapshot (``FRONTLINE_COLUMNS``)."""
    snaps = _snapshots(atlas, source)
    rows = []
    for n, (name, t, zones) in enumerate(snaps, 1):
        rows.append((t.date().isoformat(), iso(t), name, frontline.length(zones)))
        if progress:
            progress(n, len(snaps))
    return pd.DataFrame(rows, columns=FRONTLINE_COLUMNS)


# ---- strikes ---------------------------------------------------------------------------------
def strikes_between(strikes: gpd.GeoDataFrame, start: object, end: object) -> gpd.GeoDataFrame:
    """Strikes from the start of ``start`` to the end of ``end`` (UTC calendar dates, both included)."""
    d1, d2 = timeline.to_date(start), timeline.to_date(end)
    if d2 < d1:
        raise model.DataError(f"the window's end ({d2}) is before its start ({d1})")
    t = strikes["time"]
    return strikes[(t >= pd.Timestamp(d1, tz="UTC")) & (t <= timeline.end_of_day(d2))]


def strike_admin1(strikes: gpd.GeoDataFrame, oblasts: gpd.GeoDataFrame | None) -> pd.Series:
    """Canonical oblast of each strike: its ``admin1`` field, else the oblast its point falls in, else 'unknown'."""
    names = pd.Series([canonical_admin1(v) for v in strikes["admin1"]], index=strikes.index, dtype=object)
    missing = names.isna().to_numpy()
    if oblasts is not None and missing.any():
        pts = strikes.geometry.values[missing]
        x, y = shapely.get_x(pts), shapely.get_y(pts)
        found = np.full(len(pts), None, dtype=object)
        unset = np.ones(len(pts), dtype=bool)
        for name, geom in zip(oblasts["admin1"], oblasts.geometry.values, strict=True):
            hit = unset & shapely.contains_xy(geom, x, y)
            found[hit] = canonical_admin1(name) or name
            unset &= ~hit
        names[missing] = found
    return names.fillna(UNKNOWN)


def strike_counts(atlas: Atlas, start: object, end: object, by: str = "kind") -> pd.DataFrame:
    """Strikes in the window counted by ``kind``, ``admin1``, ``day`` or ``week`` (ISO week, labelled by its Monday).

    Columns: ``by``, ``strikes``, ``killed``, ``injured``. Days and weeks without strikes are
    listed with zeros; kinds and oblasts are listed when they have a strike, most first.
    """
    if by not in STRIKE_BY:
        raise model.DataError(f"unknown grouping '{by}'; choose from {', '.join(STRIKE_BY)}")
    rows = strikes_between(atlas.strikes, start, end)
    d1, d2 = timeline.to_date(start), timeline.to_date(end)
    if by == "kind":
        key = rows["kind"].astype(object)
    elif by == "admin1":
        key = strike_admin1(rows, admin1_boundaries(atlas))
    else:
        days = rows["time"].dt.tz_convert("UTC").dt.date
        key = days if by == "day" else days.map(lambda d: d - dt.timedelta(days=d.weekday()))
    frame = pd.DataFrame({by: key.to_numpy(), "strikes": 1,
                          "killed": rows["killed"].astype("Float64").fillna(0).to_numpy(dtype=float),
                          "injured": rows["injured"].astype("Float64").fillna(0).to_numpy(dtype=float)})
    out = frame.groupby(by, sort=True).sum()
    if by in ("day", "week"):
        first = d1 if by == "day" else d1 - dt.timedelta(days=d1.weekday())
        step = 1 if by == "day" else 7
        labels = [first + dt.timedelta(days=i) for i in range(0, (d2 - first).days + 1, step)]
        out = out.reindex(labels, fill_value=0)
        out.index = [d.isoformat() for d in out.index]
    else:
        out = out.sort_values("strikes", ascending=False, kind="stable")
    out = out.astype({"strikes": int, "killed": int, "injured": int})
    return out.rename_axis(by).reset_index()
