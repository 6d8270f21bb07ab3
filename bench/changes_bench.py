"""Benchmark of the "what changed" features on full-resolution DeepState snapshots.

    python bench/changes_bench.py [--data DIR] [--history DIR] [--oblasts DIR]

Without ``--data`` it imports every file of ``--history`` (default: the shared
``deepstatemap-history`` extracts) into a temporary store, plus geoBoundaries oblasts when
``--oblasts`` (default: the shared ``geoboundaries-ukr``) exists, and prints, in seconds:
the diff of two snapshots (cold and cached), the changes layer's feature group for a slider
step (cold and cached), the area series over all loaded snapshots and the
front-line series.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import changes, export, importers, stats, store  # noqa: E402
from geo.atlas import Atlas  # noqa: E402
from geo.display import LRU  # noqa: E402
from geo.importers.base import Options  # noqa: E402
from layers import REGISTRY, View  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def clock(fn, repeat: int = 1) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def build_store(history: Path, oblasts: Path | None, into: Path) -> None:
    for name, folder in (("deepstate", history), ("boundaries", oblasts)):
        if folder is None or not folder.exists():
            continue
        importer = importers.get(name)
        files = importer.files([folder])
        results = [importers.run_file(importer, f, Options()) for f in files]
        store.merge(into, importer, results)
        print(f"imported {len(results)} {name} file(s) from {folder}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="an existing store (default: import --history into a temp dir)")
    ap.add_argument("--history", default=str(SHARED / "deepstatemap-history"))
    ap.add_argument("--oblasts", default=str(SHARED / "geoboundaries-ukr"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.data) if args.data else Path(tmp)
        if not args.data:
            t = time.perf_counter()
            build_store(Path(args.history), Path(args.oblasts) if args.oblasts else None, path)
            print(f"import: {time.perf_counter() - t:.2f} s", file=sys.stderr)
        atlas = Atlas.load(path)
        source = atlas.sources[0]
        times = atlas.snapshots(source)
        print(f"store: {len(atlas.control)} zones, {len(times)} {source} snapshots, "
              f"{int(atlas.control.geometry.count_coordinates().sum()):,} vertices; "
              f"oblasts loaded: {changes.admin1_boundaries(atlas) is not None}")
        pairs = [(times[i - 1].date(), times[i].date()) for i in range(1, len(times))]
        d1, d2 = max(pairs, key=lambda p: len(atlas.control[atlas.control["as_of"].dt.date.isin(p)]))
        secs, d = clock(lambda: changes.diff(atlas, d1, d2, source))
        print(f"diff {d1} -> {d2} (largest consecutive pair), cold: {secs:.3f} s; "
              f"{len(d.zones)} pieces, {sum(s['count'] for s in d.slivers.values())} slivers dropped")
        secs, _ = clock(lambda: changes.diff(atlas, d1, d2, source), repeat=20)
        print(f"diff, cached: {secs * 1000:.2f} ms")
        colds = [clock(lambda a=a, b=b: changes.diff(atlas, a, b, source))[0] for a, b in pairs]
        print(f"diff of each consecutive pair, cold: median {statistics.median(colds):.3f} s, max {max(colds):.3f} s")
        layer = REGISTRY["changes"]
        step = View(d2, source, 7)
        atlas.cache = LRU(atlas.cache.size)  # empty: the first slider step onto a new pair
        secs, _ = clock(lambda: layer.feature_group(atlas, step))
        print(f"changes layer, slider step onto a new snapshot pair (cold): {secs:.3f} s")
        secs, group = clock(lambda: layer.feature_group(atlas, step), repeat=20)
        size = len(export.dumps(atlas.cache.get(("changes-geojson", source, d.snapshot_from, d.snapshot_to),
                                                        lambda: {})))
        print(f"changes layer, slider step within the same pair (cached): {secs * 1000:.2f} ms; "
              f"payload {size / 1e3:.0f} KB")
        atlas.cache = LRU(atlas.cache.size)
        secs, series = clock(lambda: stats.area_series(atlas))
        print(f"area series over all {len(times)} snapshots, cold: {secs:.2f} s "
              f"({secs / len(times) * 1000:.0f} ms per snapshot), {len(series)} rows")
        secs, front = clock(lambda: stats.frontline_series(atlas))
        print(f"front-line series, cold: {secs:.2f} s; lengths {front['length_km'].min():,.0f}–"
              f"{front['length_km'].max():,.0f} km")


if __name__ == "__main__":
    main()
