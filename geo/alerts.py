"""Questions about the ``alerts`` table (air-raid alert intervals per oblast, UTC).

An alert covers ``started_at <= t < finished_at``. By default only oblast-level alerts count (a
raion or hromada alert covers part of an oblast); pass ``levels`` to count them too. Overlapping
alerts of one oblast (two sources, or an oblast and a raion alert) are merged, never added twice.
The files hold no row for the permanent alerts of Luhansk and Crimea: ``permanent=True`` adds them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from geo.timeline import to_date

# Oblasts under a permanent alert the sources do not list, and since when (Vadimkin dataset notes).
PERMANENT = {"Luhansk": pd.Timestamp("2022-04-04", tz="UTC"), "Crimea": pd.Timestamp("2022-12-10", tz="UTC")}
OBLAST_ONLY = ("oblast",)


def _utc(value: object) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _select(alerts: pd.DataFrame, levels: Iterable[str] | None, source: str | None) -> pd.DataFrame:
    mask = pd.Series(True, index=alerts.index)
    if levels is not None:
        mask &= alerts["level"].isin(list(levels))
    if source is not None:
        mask &= alerts["source"] == source
    return alerts[mask & alerts["admin1"].notna()]


def alerts_at(alerts: pd.DataFrame, when: object, levels: Iterable[str] | None = OBLAST_ONLY,
              source: str | None = None, permanent: bool = False) -> set[str]:
    """The oblasts (canonical admin-1 names) under alert at the instant ``when`` (naive = UTC)."""
    t = _utc(when)
    rows = _select(alerts, levels, source)
    on = rows[(rows["started_at"] <= t) & (rows["finished_at"] > t)]
    out = set(on["admin1"])
    if permanent:
        out |= {unit for unit, since in PERMANENT.items() if since <= t}
    return out


def alert_hours(alerts: pd.DataFrame, date: object, levels: Iterable[str] | None = OBLAST_ONLY,
                source: str | None = None, tz: str = "UTC", permanent: bool = False) -> pd.Series:
    """Hours under alert per oblast during the calendar day ``date`` in ``tz`` (UTC by default).

    Indexed by every oblast in ``alerts`` (0.0 when it had no alert that day), sorted by name.
    """
    day = pd.Timestamp(to_date(date))
    start = day.tz_localize(tz).tz_convert("UTC")
    end = (day + pd.Timedelta(days=1)).tz_localize(tz).tz_convert("UTC")
    rows = _select(alerts, levels, source)
    units = sorted(set(alerts["admin1"].dropna()) | (set(PERMANENT) if permanent else set()))
    hours = pd.Series(0.0, index=pd.Index(units, name="admin1"), name="hours")
    day_rows = rows[(rows["started_at"] < end) & (rows["finished_at"] > start)]
    for unit, group in day_rows.groupby("admin1"):
        s = group["started_at"].clip(lower=start).sort_values()
        f = group["finished_at"].clip(upper=end)[s.index]
        hours[unit] = _union_seconds(s.tolist(), f.tolist()) / 3600
    if permanent:
        for unit, since in PERMANENT.items():
            if since < end:
                hours[unit] = (end - max(since, start)).total_seconds() / 3600
    return hours


def _union_seconds(starts: list[pd.Timestamp], ends: list[pd.Timestamp]) -> float:
    """Length of the union of intervals sorted by start."""
    total, cur_s, cur_e = 0.0, None, None
    for s, e in zip(starts, ends, strict=True):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += (cur_e - cur_s).total_seconds()
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += (cur_e - cur_s).total_seconds()
    return total
