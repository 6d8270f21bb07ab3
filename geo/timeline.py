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
    return strikes[(strikes["time"] > start) & (strikes["time"] <= end)]


# Where zones overlap, the first status in this order wins for a town.
TOWN_PRIORITY = ("contested", "occupied", "occupied_before", "claimed", "advance", "liberated", "defender_held_abroad")


def town_status(towns: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, land: shapely.Geometry | None = None,
                snap: float = 0.02) -> pd.Series:
    """Status of each town under ``zones`` (``free`` where no zone covers it).

    With ``land`` (the country outline), a town whose point falls just off the outline (a
    coastal or river-bank town against a coarse coastline) takes the status of a zone within
    ``snap`` degrees (~2 km); towns on land are never snapped.
    """
    status = np.full(len(towns), model.FREE, dtype=object)
    if len(towns) and len(zones):
        x, y = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
        undecided = np.ones(len(towns), dtype=bool)
        offshore = ~shapely.contains_xy(land, x, y) if land is not None else np.zeros(len(towns), dtype=bool)
        for near in (False, True):
            for name in TOWN_PRIORITY:
                geoms = zones.geometry[zones["status"] == name]
                if geoms.empty:
                    continue
                area = shapely.union_all(geoms.values)
                if near:
                    hit = undecided & offshore
                    hit[hit] = shapely.dwithin(area, shapely.points(x[hit], y[hit]), snap)
                else:
                    shapely.prepare(area)
                    hit = undecided & shapely.contains_xy(area, x, y)
                status[hit] = name
                undecided &= ~hit
            if land is None:
                break
    return pd.Series(status, index=towns.index, name="status")


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
