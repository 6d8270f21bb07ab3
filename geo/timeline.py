"""Questions of time: the control state at a date, strikes in a window, towns' status.

Dates are calendar dates in UTC. The control state at date D for a source is its latest
snapshot whose ``as_of`` is on or before the end of D (23:59:59.999 UTC); snapshots are whole.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import model

WINDOWS = (1, 7, 30)


def to_date(value: object) -> dt.date:
    """A calendar date from a date, datetime, Timestamp or ISO string; DataError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise model.DataError(f"'{value}' is not a date (expected YYYY-MM-DD)") from None


def end_of_day(date: object) -> pd.Timestamp:
    """The last instant of a UTC calendar date."""
    return pd.Timestamp(to_date(date), tz="UTC") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def snapshot_times(control: gpd.GeoDataFrame, source: str | None = None) -> pd.DatetimeIndex:
    """Sorted distinct snapshot times of ``source`` (of all sources when None)."""
    rows = control if source is None else control[control["source"] == source]
    return pd.DatetimeIndex(rows["as_of"].drop_duplicates().sort_values())


def snapshot_at(control: gpd.GeoDataFrame, date: object, source: str) -> pd.Timestamp | None:
    """The ``as_of`` of the snapshot in force at the end of ``date``, or None before the first."""
    times = snapshot_times(control, source)
    i = times.searchsorted(end_of_day(date), side="right")
    return times[i - 1] if i else None


def control_at(control: gpd.GeoDataFrame, date: object, source: str) -> gpd.GeoDataFrame:
    """The zones of ``source`` in force at the end of ``date`` (empty before its first snapshot)."""
    t = snapshot_at(control, date, source)
    if t is None:
        return control.iloc[0:0]
    return control[(control["source"] == source) & (control["as_of"] == t)]


def strikes_in(strikes: gpd.GeoDataFrame, date: object, days: int) -> gpd.GeoDataFrame:
    """Strikes in the ``days`` calendar days up to and including ``date``."""
    if days < 1:
        raise model.DataError(f"strike window must be at least 1 day, got {days}")
    end = end_of_day(date)
    start = end - pd.Timedelta(days=days)
    times = strikes["time"]
    if times.is_monotonic_increasing:  # stores keep strikes in time order: two binary searches
        lo, hi = times.searchsorted(start, side="right"), times.searchsorted(end, side="right")
        return strikes.iloc[lo:hi]
    return strikes[(times > start) & (times <= end)]


# Where zones overlap, the first status in this order wins for a town.
TOWN_PRIORITY = ("contested", "occupied", "occupied_before", "claimed", "advance", "liberated", "defender_held_abroad")


def town_status(towns: gpd.GeoDataFrame | gpd.GeoSeries, zones: gpd.GeoDataFrame,
                land: shapely.Geometry | None = None, snap: float = 0.02,
                tree: shapely.STRtree | None = None) -> pd.Series:
    """Status of the ground under each town (``free`` where no zone covers it).

    Where zones overlap, the first status of ``TOWN_PRIORITY`` wins. With ``land`` (the
    country outline), a town whose point falls just off the outline (a coastal or river-bank
    town against a coarse coastline) takes the status of a zone within ``snap`` degrees
    (~2 km); towns on land are never snapped. Spatial-index queries, cheap enough for every
    frame of a replay. ``tree`` is an index of the towns' points to reuse across calls.
    """
    points = towns.geometry if isinstance(towns, gpd.GeoDataFrame) else towns
    out = np.full(len(points), model.FREE, dtype=object)
    if len(points) and len(zones):
        names = list(TOWN_PRIORITY) + sorted(set(zones["status"]) - set(TOWN_PRIORITY))
        rank = zones["status"].map({s: i for i, s in enumerate(names)}).to_numpy()
        best = np.full(len(points), len(names))
        geoms = np.asarray(points.values, dtype=object)
        if tree is None:  # index the points: a few big zones query many points at once
            tree = shapely.STRtree(geoms)

        def assign(zone_idx: np.ndarray, point_idx: np.ndarray, allowed: np.ndarray) -> None:
            keep = allowed[point_idx]
            np.minimum.at(best, point_idx[keep], rank[zone_idx[keep]])

        assign(*tree.query(zones.geometry.values, predicate="contains"), np.ones(len(points), dtype=bool))
        if land is not None:
            offshore = (best == len(names)) & ~shapely.contains_xy(land, shapely.get_x(geoms), shapely.get_y(geoms))
            if offshore.any():
                assign(*tree.query(zones.geometry.values, predicate="dwithin", distance=snap), offshore)
        hit = best < len(names)
        out[hit] = np.array(names, dtype=object)[best[hit]]
    return pd.Series(out, index=points.index, name="status")


def data_dates(control: gpd.GeoDataFrame, strikes: gpd.GeoDataFrame) -> tuple[dt.date, dt.date]:
    """The first and last calendar dates of any control snapshot or strike."""
    times = pd.concat([control["as_of"], strikes["time"]]).dropna()
    if times.empty:
        raise model.DataError("no dated control zones or strikes are loaded")
    return times.min().date(), times.max().date()


def check_date(date: object, first: dt.date, last: dt.date) -> dt.date:
    """``date`` as a date, or DataError saying the data's range when outside it."""
    d = to_date(date)
    if not first <= d <= last:
        raise model.DataError(f"date {d} is outside the data, which runs from {first} to {last}")
    return d
