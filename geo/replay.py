"""Replays: the frame schedule and what every format (MP4, GIF, HTML) shares.

A replay is a list of :class:`Frame` (one per date from ``start`` to ``end`` by ``step_days``;
the end date is always the last frame). Each frame shows the control snapshot in force at
its date (``geo.timeline``: between snapshots the last known state holds, nothing is
interpolated), the strikes of a window ending at the date, and the area held by the
invading force measured on full-resolution geometry (``geo.analysis``). The renderers live
in ``geo.replay_video`` (matplotlib frames through ffmpeg) and ``geo.replay_html``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import analysis, display, model, timeline
from geo.admin import THEATRE, canonical_admin1
from geo.atlas import DEFAULT_DATA, Atlas
from layers.style import BASEMAP, STATUS_STYLE, ZONE_OPACITY

Progress = Callable[[int, int], None]  # (frames done, frames in all)
FORMATS = ("mp4", "gif", "html")
SIZES = ("1280x720", "1920x1080")
MAX_FRAMES = 5000
KEY_TOWN_KINDS = ("capital", "oblast_centre")
REGION_MARGIN = 0.15  # share of an oblast's extent added around it
BOUNDARIES_HINT = ("oblast boundaries are not loaded: run python -m geo import boundaries "
                   "geoBoundaries-UKR-ADM1.geojson --into DIR (then --data DIR), or give --region as "
                   "'minlon,minlat,maxlon,maxlat'")


@dataclass(frozen=True)
class Region:
    """What a replay frames: a lon/lat box, and the oblast's outline when named by one."""

    bbox: tuple[float, float, float, float]
    name: str | None = None
    shape: shapely.Geometry | None = None


@dataclass(frozen=True)
class Spec:
    """Everything that decides a replay's content (validated by :func:`make_spec`)."""

    start: dt.date
    end: dt.date
    source: str | None
    step_days: int = 1
    fps: int = 8
    size: tuple[int, int] = (1280, 720)
    title: str = ""
    region: Region = Region(THEATRE.BBOX)
    window_days: int = 7


@dataclass(frozen=True)
class Frame:
    """One frame: its date and the ``as_of`` of the snapshot shown (None before the first)."""

    index: int
    date: dt.date
    as_of: pd.Timestamp | None


# ---- parsing and validation ------------------------------------------------
def parse_step(text: object) -> int:
    """Days per frame from '1d', '7d', '2w' or a bare number of days."""
    m = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", str(text).lower())
    if not m or int(m.group(1)) < 1:
        raise model.DataError(f"--step '{text}' is not a number of days such as 1d or 7d")
    return int(m.group(1)) * (7 if m.group(2) == "w" else 1)


def parse_size(text: object) -> tuple[int, int]:
    """(width, height) in pixels from 'WIDTHxHEIGHT' (even numbers, as H.264 in yuv420p needs)."""
    m = re.fullmatch(r"\s*(\d+)\s*[x×]\s*(\d+)\s*", str(text).lower())
    if not m:
        raise model.DataError(f"--size '{text}' is not WIDTHxHEIGHT such as {' or '.join(SIZES)}")
    w, h = int(m.group(1)), int(m.group(2))
    if not (320 <= w <= 3840 and 240 <= h <= 2160) or w % 2 or h % 2:
        raise model.DataError(f"--size '{text}' must be even numbers within 320x240..3840x2160")
    return w, h


def parse_bbox(text: str) -> tuple[float, float, float, float] | None:
    """'minlon,minlat,maxlon,maxlat' as floats, None when ``text`` is not four numbers; DataError when absurd."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        return None
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        return None
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise model.DataError(f"--region '{text}' must be minlon,minlat,maxlon,maxlat with min < max, in degrees")
    return x0, y0, x1, y1


def oblasts(atlas: Atlas) -> gpd.GeoDataFrame | None:
    """Admin-1 polygons of the store's ``boundaries`` table with a canonical ``admin1`` name, or None."""
    table = atlas.table("boundaries")
    if table is None or not isinstance(table, gpd.GeoDataFrame) or table.empty:
        return None

    def make() -> gpd.GeoDataFrame | None:
        rows = table
        if "level" in rows.columns:
            rows = rows[rows["level"].astype("string").str.lower().isin(["admin1", "adm1", "1"])]
        names = next((c for c in ("admin1", "name", "shapeName", "shapeISO") if c in rows.columns), None)
        if names is None or rows.empty:
            return None
        out = gpd.GeoDataFrame({"admin1": [canonical_admin1(v) for v in rows[names]]},
                               geometry=rows.geometry.values, crs=model.CRS)
        return out[out["admin1"].notna()].reset_index(drop=True)

    return atlas.cache.get(("replay-oblasts",), make)


def resolve_region(atlas: Atlas, text: str | None) -> Region:
    """The region of ``--region``: a lon/lat box, an oblast name (needs boundaries), or the theatre."""
    if text is None or not str(text).strip():
        return Region(THEATRE.BBOX)
    box = parse_bbox(str(text))
    if box is not None:
        return Region(box)
    name = canonical_admin1(text)
    if name is None:
        raise model.DataError(f"--region '{text}' is neither 'minlon,minlat,maxlon,maxlat' nor a known oblast name")
    shapes = oblasts(atlas)
    if shapes is None:
        raise model.DataError(BOUNDARIES_HINT)
    rows = shapes[shapes["admin1"] == name]
    if rows.empty:
        raise model.DataError(f"--region '{text}': the loaded boundaries table has no oblast named {name}")
    shape = shapely.union_all(rows.geometry.values)
    x0, y0, x1, y1 = shape.bounds
    mx, my = (x1 - x0) * REGION_MARGIN, (y1 - y0) * REGION_MARGIN
    return Region((x0 - mx, y0 - my, x1 + mx, y1 + my), name, shape)


def make_spec(atlas: Atlas, start: object, end: object, *, step: object = "1d", fps: int = 8,
              size: object = "1280x720", title: str | None = None, region: str | None = None,
              source: str | None = None, window_days: int = 7) -> Spec:
    """A validated :class:`Spec`; DataError naming the option on bad input."""
    first, last = atlas.dates
    d0 = timeline.check_date(start, first, last)
    d1 = timeline.check_date(end, first, last)
    if d1 < d0:
        raise model.DataError(f"--to {d1} is before --from {d0}")
    if source is not None and source not in atlas.sources:
        raise model.DataError(f"--source '{source}' has no control zones; loaded: {', '.join(atlas.sources) or 'none'}")
    if not 1 <= int(fps) <= 60:
        raise model.DataError(f"--fps {fps} must be between 1 and 60")
    if window_days < 1:
        raise model.DataError(f"strike window must be at least 1 day, got {window_days}")
    spec = Spec(d0, d1, source or (atlas.sources[0] if atlas.sources else None), parse_step(step), int(fps),
                parse_size(size), (title or "").strip(), resolve_region(atlas, region), window_days)
    n = len(frame_dates(spec))
    if n > MAX_FRAMES:
        raise model.DataError(f"{n} frames is more than {MAX_FRAMES}: use a larger --step or a shorter range")
    return spec


# ---- the schedule ----------------------------------------------------------
def frame_dates(spec: Spec) -> list[dt.date]:
    """From ``start`` to ``end`` by ``step_days``; ``end`` is always the last date."""
    days = (spec.end - spec.start).days
    dates = [spec.start + dt.timedelta(days=d) for d in range(0, days + 1, spec.step_days)]
    return dates if dates[-1] == spec.end else [*dates, spec.end]


def schedule(atlas: Atlas, spec: Spec) -> list[Frame]:
    """The frames of ``spec``, each with the snapshot in force at its date."""
    dates = frame_dates(spec)
    if spec.source is None:
        return [Frame(i, d, None) for i, d in enumerate(dates)]
    times = atlas.snapshots(spec.source)
    idx = times.searchsorted(pd.DatetimeIndex([timeline.end_of_day(d) for d in dates]), side="right")
    return [Frame(i, d, times[k - 1] if k else None) for i, (d, k) in enumerate(zip(dates, idx, strict=True))]


def zones(atlas: Atlas, spec: Spec, frame: Frame) -> gpd.GeoDataFrame:
    """Full-resolution zones shown in ``frame`` (empty before the source's first snapshot; cached by the atlas)."""
    return atlas.zones_at(frame.date, spec.source)


def held_area(zones: gpd.GeoDataFrame) -> float:
    """km² held by the invading force (occupied and occupied before the invasion), on full geometry."""
    return analysis.area_km2(analysis.status_union(zones, model.HELD))


class HeldAreas:
    """km² held by the invading force in each snapshot the frames show. Asking for one snapshot also
    starts measuring the next ``AHEAD`` in a background thread (GEOS releases the GIL), so drawing a
    frame overlaps measuring the snapshots after it. Zones are read in the calling thread only."""

    AHEAD = 3

    def __init__(self, atlas: Atlas, spec: Spec, frames: list[Frame]) -> None:
        self.atlas, self.spec = atlas, spec
        firsts = {f.as_of: f for f in reversed(frames) if f.as_of is not None}
        self._order = [firsts[t] for t in sorted(firsts)]
        self._pos = {f.as_of: k for k, f in enumerate(self._order)}
        self._futures: dict[pd.Timestamp, Future] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="held-areas")

    def ahead(self, frame: Frame) -> None:
        """Start measuring ``frame``'s snapshot and the next ones."""
        k = self._pos.get(frame.as_of)
        if k is None:
            return
        for f in self._order[k:k + self.AHEAD + 1]:
            if f.as_of not in self._futures:
                self._futures[f.as_of] = self._pool.submit(held_area, zones(self.atlas, self.spec, f))

    def __call__(self, frame: Frame) -> float:
        """The held km² of ``frame`` (0 before the first snapshot)."""
        if frame.as_of is None:
            return 0.0
        self.ahead(frame)
        future = self._futures.get(frame.as_of)
        return future.result() if future is not None else held_area(zones(self.atlas, self.spec, frame))

    def close(self) -> None:
        """Drop the measurements not started yet and let the thread end."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def display_zones(atlas: Atlas, spec: Spec, frame: Frame, tolerance: float) -> gpd.GeoDataFrame:
    """``frame``'s zones near the region, simplified as a coverage at ``tolerance`` (0: as they are); cached."""
    full = zones(atlas, spec, frame)
    if frame.as_of is None or full.empty:
        return full

    def make() -> gpd.GeoDataFrame:
        x0, y0, x1, y1 = spec.region.bbox
        m = max(x1 - x0, y1 - y0) * 0.1
        near = full[shapely.intersects(full.geometry.values, shapely.box(x0 - m, y0 - m, x1 + m, y1 + m))]
        return display.simplify_zones(near, tolerance) if tolerance > 0 else near

    return atlas.cache.get(("replay-zones", spec.source, frame.as_of, spec.region.bbox, tolerance), make)


def ground(points: gpd.GeoSeries, zones: gpd.GeoDataFrame, land: shapely.Geometry | None = None) -> np.ndarray:
    """Status of the ground under each point (``timeline.town_status``) as an array."""
    return timeline.town_status(points, zones, land).to_numpy()


def strikes_in_range(atlas: Atlas, spec: Spec) -> gpd.GeoDataFrame:
    """Every strike some frame of ``spec`` shows, oldest first, with the mark ``radius`` (a new frame)."""
    days = (spec.end - spec.start).days + spec.window_days
    rows = timeline.strikes_in(atlas.strikes, spec.end, days).sort_values("time", kind="stable")
    out = rows.copy()
    out["radius"] = [strike_size(k, i) for k, i in zip(rows["killed"], rows["injured"], strict=True)]
    return out


def window(times: pd.Series, date: dt.date, days: int) -> tuple[int, int, np.ndarray]:
    """(first, stop, ages in days) of the sorted ``times`` inside the window of ``timeline.strikes_in``."""
    end = timeline.end_of_day(date)
    values = pd.DatetimeIndex(times)
    first = int(values.searchsorted(end - pd.Timedelta(days=days), side="right"))
    stop = int(values.searchsorted(end, side="right"))
    ages = (end - values[first:stop]).total_seconds().to_numpy() / 86400.0
    return first, stop, ages


def fade(age_days: np.ndarray | float, window_days: int) -> np.ndarray | float:
    """Opacity of strike marks ``age_days`` old (1 when new, 0.35 at the window's start), as the map."""
    return np.maximum(0.35, 1.0 - 0.65 * np.asarray(age_days, dtype=float) / window_days).round(2)


def strike_size(killed: object, injured: object) -> float:
    """Mark radius in CSS pixels by casualties (the map's rule)."""
    hurt = sum(0.0 if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else float(v)
               for v in (killed, injured))
    return round(min(16.0, 5.0 + 1.5 * math.sqrt(hurt)), 1)


def shown_statuses(atlas: Atlas, spec: Spec, frames: list[Frame]) -> list[str]:
    """Statuses of the snapshots the frames show, in legend order."""
    snaps = {f.as_of for f in frames if f.as_of is not None}
    index = atlas.control_index
    present = set(index.loc[(index["source"] == spec.source) & index["as_of"].isin(snaps), "status"])
    return [s for s in STATUS_STYLE if s in present]


def key_towns(atlas: Atlas, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The capital and oblast centres inside ``bbox``."""
    towns = atlas.towns
    inside = towns.geometry.x.between(bbox[0], bbox[2]) & towns.geometry.y.between(bbox[1], bbox[3])
    return towns[towns["kind"].isin(KEY_TOWN_KINDS) & inside]


@lru_cache(maxsize=2)
def _outline(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(DEFAULT_DATA / "boundaries" / f"{name}.geojson").to_crs(model.CRS)


def basemap() -> dict[str, gpd.GeoDataFrame]:
    """The offline basemap: Ukraine in its recognised border (Crimea inside) and its neighbours."""
    return {"ukraine": _outline("ukraine"), "neighbours": _outline("neighbours")}


# ---- what every frame says ---------------------------------------------------
def blend(color: str, alpha: float = ZONE_OPACITY, under: str = BASEMAP["country_fill"]) -> str:
    """``color`` drawn at ``alpha`` over ``under``, as one opaque hex colour (what the map shows)."""
    a, b = _rgb(color), _rgb(under)
    return "#" + "".join(f"{round(alpha * x + (1 - alpha) * y):02x}" for x, y in zip(a, b, strict=True))


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def zone_fill(status: str) -> str:
    """The opaque fill of a status in replays (its map colour over the country fill)."""
    return blend(STATUS_STYLE.get(status, {"color": "#888888"})["color"])


def stamp(frame: Frame) -> tuple[str, str]:
    """(large date stamp, which snapshot is shown)."""
    note = f"snapshot of {frame.as_of:%Y-%m-%d}" if frame.as_of is not None else "no snapshot yet"
    return f"{frame.date.day} {frame.date:%B %Y}", note


def counter(km2: float, first_km2: float, first_date: dt.date) -> tuple[str, str]:
    """(held area with share of the country, change since the first frame)."""
    delta = km2 - first_km2
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return (f"{km2:,.0f} km² ({analysis.share_pct(km2):.1f}%)",
            f"{sign}{abs(delta):,.0f} km² since {first_date.day} {first_date:%b %Y}")


def attribution(atlas: Atlas) -> str:
    """The attribution line of the sources shown ('Data: ...')."""
    return "Data: " + " · ".join(re.sub(r"^\s*data:\s*", "", line, flags=re.IGNORECASE)
                                 for line in atlas.attribution())


# ---- output ----------------------------------------------------------------
def render(atlas: Atlas, spec: Spec, out: str | os.PathLike, progress: Progress | None = None) -> Path:
    """Write the replay to ``out`` (.mp4, .gif or .html, by its suffix) through a temp file; returns the path."""
    path = Path(out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise model.DataError(f"--out {path.name}: the file must end in .mp4, .gif or .html")
    if not path.parent.exists():
        raise model.DataError(f"output folder {path.parent} does not exist")
    tmp = str(path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}"))
    try:
        if fmt == "html":
            from geo import replay_html
            replay_html.write(atlas, spec, Path(tmp), progress)
        else:
            from geo import replay_video
            replay_video.write(atlas, spec, Path(tmp), fmt, progress)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def render_bytes(atlas: Atlas, spec: Spec, fmt: str, progress: Progress | None = None) -> bytes:
    """The replay as bytes in ``fmt`` (mp4, gif or html): what a download button sends."""
    with tempfile.TemporaryDirectory(prefix="replay-") as folder:
        return render(atlas, spec, Path(folder) / f"replay.{fmt}", progress).read_bytes()


def file_name(spec: Spec, fmt: str) -> str:
    """A download name such as ``frontline-2022-09-01-to-2022-11-15.mp4``."""
    return f"frontline-{spec.start}-to-{spec.end}.{fmt}"
