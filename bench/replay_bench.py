"""Replay benchmarks: seconds per frame, video size per minute, HTML size for a year of daily snapshots.

    python bench/replay_bench.py [--store DIR] [--days 365] [--quick]

Data: a store imported from the shared DeepStateMap history (19 real snapshots, full resolution;
imported into DIR with ``python -m geo import deepstate`` plus the geoBoundaries oblasts when
DIR holds no control zones yet), with the embedded dataset's towns and strikes. Because the
shared history has 19 snapshots, a "new snapshot every day" case is generated: a real
snapshot whose front advances (or falls back) by a small irregular patch at a random point of
the front each day, the rest of the geometry unchanged, as daily DeepStateMap edits do.
Prints figures only; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import model, replay, replay_html, replay_video  # noqa: E402
from geo.atlas import Atlas  # noqa: E402
from geo.display import LRU  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def deepstate_store(store: Path) -> Atlas:
    """The DeepState store (imported on first use) with the default towns and strikes."""
    if not (store / "control.parquet").exists():
        oblasts = SHARED / "geoboundaries-ukr" / "geoBoundaries-UKR-ADM1_simplified.geojson"
        for source, path in (("deepstate", SHARED / "deepstatemap-history"), ("boundaries", oblasts)):
            subprocess.run([sys.executable, "-m", "geo", "import", source, str(path), "--into", str(store)],
                           cwd=ROOT, check=True, capture_output=True)
    ds, base = Atlas.load(store), Atlas.load()
    ds.towns, ds.strikes = base.towns, base.strikes  # control stays lazy: each snapshot is read when shown
    return ds


def _patch(center: shapely.Point, rng: np.random.Generator) -> shapely.Geometry:
    """An irregular patch of 1-5 km around ``center``."""
    n = 14
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radius = rng.uniform(0.01, 0.045) * rng.uniform(0.5, 1.0, n)
    xy = np.column_stack([center.x + radius * np.cos(angles) / 0.66, center.y + radius * np.sin(angles)])
    return shapely.make_valid(shapely.Polygon(xy))


def synthetic_daily(atlas: Atlas, start: str, days: int, seed: int = 1) -> Atlas:
    """``days`` daily snapshots from the real snapshot in force at ``start``, the front moving a little each day."""
    rng = np.random.default_rng(seed)
    zones = atlas.zones_at(start, atlas.sources[0]).reset_index(drop=True)
    ukraine = shapely.buffer(replay.basemap()["ukraine"].geometry.iloc[0], -0.03)
    geoms = list(zones.geometry.values)
    status = zones["status"].to_numpy()
    held_before = shapely.union_all([g for g, s in zip(geoms, status, strict=True) if s == "occupied_before"])
    occupied = [i for i, s in enumerate(status) if s == "occupied"]
    rows, t0 = [], pd.Timestamp(start, tz="UTC") + pd.Timedelta(hours=20)
    for day in range(days):
        occ = shapely.union_all([geoms[i] for i in occupied])
        front = shapely.difference(shapely.intersection(occ.boundary, ukraine), held_before.buffer(0.05))
        point = shapely.line_interpolate_point(front, rng.uniform(0, front.length)) if front.length else None
        if point is not None:
            patch = _patch(point, rng)
            target = min(occupied, key=lambda i: geoms[i].distance(point))
            if rng.uniform() < 0.8:  # an advance: the patch joins the nearest occupied zone, leaves the others
                geoms = [g if i == target or not g.intersects(patch) else shapely.difference(g, patch)
                         for i, g in enumerate(geoms)]
                geoms[target] = shapely.intersection(shapely.union(geoms[target], patch), ukraine.buffer(0.03))
            else:  # a retreat
                geoms[target] = shapely.difference(geoms[target], patch)
        when = t0 + pd.Timedelta(days=day)
        rows.extend({"source": "synthetic", "as_of": when, "status": s, "label": "", "note": "", "source_url": "",
                     "geometry": g} for g, s in zip(geoms, status, strict=True) if not g.is_empty)
    control = gpd.GeoDataFrame(rows, geometry="geometry", crs=model.CRS)
    control["as_of"] = control["as_of"].dt.as_unit("us")
    return Atlas(control=control, towns=atlas.towns, strikes=atlas.strikes,
                 manifest={"attribution": {"synthetic": "Synthetic daily front from DeepStateMap geometry"}},
                 path=atlas.path)


def fresh(atlas: Atlas) -> Atlas:
    """``atlas`` with an empty cache, so every measurement starts cold."""
    atlas.cache = LRU()
    return atlas


def per_frame(atlas: Atlas, spec: replay.Spec) -> str:
    """Seconds per frame drawn (no encoding) from a cold cache: wall clock, and CPU of this process."""
    renderer = replay_video.FrameRenderer(fresh(atlas), spec)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        for frame in renderer.frames:
            renderer.draw(frame)
        n = len(renderer.frames)
        return f"{(time.perf_counter() - wall) / n:.4f} s/frame (CPU {(time.process_time() - cpu) / n:.4f})"
    finally:
        renderer.close()


def encoded(atlas: Atlas, spec: replay.Spec, fmt: str, folder: Path) -> tuple[float, float]:
    """(seconds per frame including encoding, MB per minute of video)."""
    out = folder / f"bench.{fmt}"
    t = time.perf_counter()
    replay.render(fresh(atlas), spec, out)
    n = len(replay.frame_dates(spec))
    return (time.perf_counter() - t) / n, out.stat().st_size / 1e6 / (n / spec.fps / 60)


def html_sizes(atlas: Atlas, spec: replay.Spec) -> tuple[float, float, float, int]:
    """(MB of the file, MB if every snapshot stored its zones in full, seconds to build, distinct pieces)."""
    t = time.perf_counter()
    data = replay_html.payload(fresh(atlas), spec)
    size = len(replay_html.page(data).encode("utf-8")) / 1e6
    seconds = time.perf_counter() - t
    geom_bytes = [len(replay_html.script_json(g)) for g in data["geoms"]]
    naive = sum(geom_bytes[p[0]] * (p[3] - p[2] + 1) for p in data["pieces"]) / 1e6
    return size, naive, seconds, len(data["geoms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(Path(tempfile.gettempdir()) / "replay-bench-ds"))
    parser.add_argument("--days", type=int, default=365, help="daily synthetic snapshots for the HTML size")
    parser.add_argument("--quick", action="store_true", help="fewer frames")
    args = parser.parse_args()
    store = Path(args.store)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    atlas = deepstate_store(store)
    vertices = int(shapely.get_num_coordinates(atlas.control.geometry.values).sum())
    print(f"DeepState store {store}: {atlas.control['as_of'].nunique()} snapshots, {len(atlas.control)} zones, "
          f"{vertices:,} vertices (full resolution)")
    atlas = deepstate_store(store)  # lazy again: replays read each snapshot from the store
    end = "2022-09-20" if args.quick else "2022-11-15"
    daily = synthetic_daily(atlas, "2024-09-01", args.days)
    print(f"synthetic: {args.days} daily snapshots from the 2024-09-01 DeepState snapshot")
    per_frame(atlas, replay.make_spec(atlas, "2022-09-01", "2022-09-03"))  # warm-up: fonts, imports
    for size in replay.SIZES:
        real = replay.make_spec(atlas, "2022-09-01", end, size=size, title="Autumn 2022")
        synth = replay.make_spec(daily, "2024-09-01", "2024-10-30" if not args.quick else "2024-09-20", size=size)
        print(f"{size}: {per_frame(atlas, real)} DeepState, {len(replay.frame_dates(real))} daily "
              f"frames over {len({f.as_of for f in replay.schedule(atlas, real)})} snapshots; "
              f"{per_frame(daily, synth)} a new snapshot every frame")
    with tempfile.TemporaryDirectory() as folder:
        spec = replay.make_spec(atlas, "2022-09-01", end, title="Autumn 2022")
        for fmt in ("mp4", "gif"):
            seconds, mb = encoded(atlas, spec, fmt, Path(folder))
            print(f"{fmt} 1280x720 at {spec.fps} fps: {seconds:.4f} s/frame with encoding, {mb:.2f} MB per minute")
        spec = replay.make_spec(daily, "2024-09-01", "2024-10-30", title="New snapshot daily")
        for fmt in ("mp4", "gif"):
            seconds, mb = encoded(daily, spec, fmt, Path(folder))
            print(f"{fmt} 1280x720, a new snapshot every frame: {seconds:.4f} s/frame with encoding, "
                  f"{mb:.2f} MB per minute")
    last = (pd.Timestamp("2024-09-01") + pd.Timedelta(days=args.days - 1)).date()
    spec = replay.make_spec(daily, "2024-09-01", last)
    size, naive, seconds, pieces = html_sizes(daily, spec)
    print(f"html, {args.days} daily snapshots: {size:.2f} MB (zones stored per snapshot would be {naive:.1f} MB); "
          f"{pieces} distinct pieces; built in {seconds:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
