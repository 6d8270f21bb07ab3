"""Benchmark: import every shared DeepStateMap snapshot; time, peak memory, store size vs input size.

Run: ``python bench/import_deepstate.py`` (FRONTLINE_SHARED_DATA points at the shared extracts,
default ``../shared/data``). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import importers, store  # noqa: E402
from geo.importers.base import Options  # noqa: E402


def mb(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


def bench(source: str, folder: Path) -> None:
    importer = importers.get(source)
    files = importer.files([folder])
    size_in = sum(f.stat().st_size for f in files)
    importers.run_file(importer, files[0], Options())  # warm-up: theatre outline, imports
    t0 = time.perf_counter()
    results = [importers.run_file(importer, f, Options()) for f in files]
    t_import = time.perf_counter() - t0
    tracemalloc.start()  # a second pass: tracing slows the import several times
    for f in files:
        importers.run_file(importer, f, Options())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        store.merge(Path(tmp), importer, results)
        t_merge = time.perf_counter() - t1
        size_out = sum(p.stat().st_size for p in Path(tmp).iterdir() if p.is_file())
        parts = ", ".join(f"{p.name} {mb(p.stat().st_size)}" for p in sorted(Path(tmp).iterdir()) if p.is_file())
    read = sum(r.read for r in results)
    stored = {k: sum(len(r.frames.get(k, ())) for r in results) for k in ("control", "markers")}
    rejected = sum(len(r.rejects) for r in results)
    print(f"{source}: {len(files)} files, {mb(size_in)} in; {read} features -> {stored['control']} zones, "
          f"{stored['markers']} markers, {rejected} rejects")
    print(f"  import {t_import:.2f} s ({1000 * t_import / len(files):.0f} ms/file), merge into a store {t_merge:.2f} s")
    print(f"  peak traced memory while importing one file after another (Python + numpy; GEOS not traced) {mb(peak)}")
    print(f"  store {mb(size_out)} ({size_out / size_in:.2f} x input): {parts}")


def main() -> None:
    data = Path(os.environ.get("FRONTLINE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    bench("deepstate", data / "deepstatemap-history")
    bench("deepstate-mirror", data / "deepstate-map-data")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process max RSS {rss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
