"""Size and shape limits: a million-vertex polygon and a million-row CSV import (or fail cleanly)
within bounded memory and time, and every limit is configurable with a clear message.

Each big import runs in a fresh ``python`` subprocess, so its peak RSS (``ru_maxrss``) is its
own and a hang is cut by the subprocess timeout. Files are generated in a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.importers.base import DEFAULT_MAX_BYTES
from ui.upload import import_upload

ROOT = Path(__file__).resolve().parent.parent
VERTICES = 1_000_000
ROWS = 1_000_000
PEAK_MB = 1536  # 1.5 GB
SECONDS = 60.0  # measured ~6 s (polygon) and ~20 s (CSV) on 2 shared cores; the bound catches a hang
# Runs one import in a fresh interpreter and prints its outcome, time and peak RSS as JSON.
PROBE = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from geo.importers import Options, get, run_file
from geo.model import DataError
name, path, layer = sys.argv[1], Path(sys.argv[2]), sys.argv[3] or None
try:
    r = run_file(get(name), path, Options(layer=layer))
    frame = next(iter(r.frames.values()))
    out = {"outcome": "stored", "read": r.read, "stored": r.stored, "rejected": len(r.rejects),
           "first": frame.geometry.iloc[0].wkt[:60] if len(frame) else None,
           "vertices": int(frame.geometry.count_coordinates().sum()) if len(frame) else 0}
except DataError as exc:
    out = {"outcome": "error", "message": str(exc)}
out["seconds"] = round(time.perf_counter() - start, 2)
out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def probe(importer: str, path: Path, layer: str = "", env: dict[str, str] | None = None) -> dict:
    """The outcome of importing ``path`` in a subprocess, with ``seconds`` and ``peak_mb`` (printed for -s)."""
    proc = subprocess.run([sys.executable, "-c", PROBE, importer, str(path), layer], cwd=ROOT, capture_output=True,
                          text=True, timeout=2 * SECONDS, env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n{path.name}: {got}")
    return got


def circle_coordinates(n: int) -> np.ndarray:
    """``n`` distinct vertices on a closed ring around Kharkiv (n + 1 positions)."""
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    xy = np.column_stack([36.25 + 0.5 * np.cos(angle), 49.99 + 0.3 * np.sin(angle)])
    return np.vstack([xy, xy[:1]])


@pytest.fixture(scope="module")
def big_polygon(tmp_path_factory) -> Path:
    """A GeoJSON of ONE polygon with a million vertices (~27 MB)."""
    path = tmp_path_factory.mktemp("limits") / "giant.geojson"
    ring = ",".join(f"[{x:.6f},{y:.6f}]" for x, y in circle_coordinates(VERTICES))
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"source":"big",'
                    '"as_of":"2024-05-01","status":"occupied"},"geometry":{"type":"Polygon","coordinates":[['
                    + ring + "]]}}]}", "utf-8")
    return path


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """A strikes CSV of a million rows (~45 MB)."""
    path = tmp_path_factory.mktemp("limits") / "million.csv"
    rng = np.random.default_rng(7)
    pd.DataFrame({
        "event_id": np.char.add("e", np.arange(ROWS).astype(str)),
        "time": pd.Timestamp("2022-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 900 * 1440, ROWS), "min"),
        "kind": rng.choice(["missile", "drone", "artillery"], ROWS),
        "lon": rng.uniform(30, 38, ROWS).round(5), "lat": rng.uniform(46, 51, ROWS).round(5),
        "killed": rng.integers(0, 5, ROWS),
    }).to_csv(path, index=False)
    return path


def test_million_vertex_polygon_imports_within_bounds(big_polygon):
    got = probe("generic", big_polygon)
    assert got["outcome"] == "stored", got
    assert (got["read"], got["stored"], got["rejected"]) == (1, 1, 0)
    assert got["vertices"] == VERTICES + 1  # not simplified on import: full resolution is kept
    assert got["seconds"] < SECONDS and got["peak_mb"] < PEAK_MB, got


def test_million_row_csv_imports_within_bounds(big_csv):
    got = probe("generic", big_csv, "strikes")
    assert got["outcome"] == "stored", got
    assert (got["read"], got["stored"], got["rejected"]) == (ROWS, ROWS, 0)
    assert got["seconds"] < SECONDS and got["peak_mb"] < PEAK_MB, got


def test_vertex_limit_refuses_the_giant_polygon_with_one_sentence(big_polygon):
    got = probe("generic", big_polygon, env={"FRONTLINE_MAX_IMPORT_VERTICES": "100000"})
    assert got["outcome"] == "error"
    assert got["message"] == "giant.geojson: 1,000,001 vertices, over the per-file import limit of 100,000"
    assert got["seconds"] < SECONDS


def test_row_limit_refuses_the_million_row_csv_with_one_sentence(big_csv):
    got = probe("generic", big_csv, "strikes", env={"FRONTLINE_MAX_IMPORT_ROWS": "500000"})
    assert got == {**got, "outcome": "error",
                   "message": "million.csv: over 500,000 rows/features, the per-file import limit; split the file"}


def test_cli_size_limit_is_configurable_and_names_the_file(big_csv, tmp_path):
    def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "geo", "import", "generic", str(big_csv), "--into",
                               str(tmp_path / "store"), *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
                              env={**os.environ, **(env or {})})

    flag = cli("--max-size", "10")
    assert flag.returncode == 2 and "million.csv" in flag.stderr and "over the import size limit of 10 MB" in \
        flag.stderr, flag.stderr
    env = cli(env={"FRONTLINE_MAX_IMPORT_MB": "5"})
    assert env.returncode == 2 and "over the import size limit of 5 MB" in env.stderr, env.stderr
    stored = tmp_path / "store" / "strikes.parquet"  # the run still writes the (empty) store of the good files
    assert not stored.exists() or len(pd.read_parquet(stored)) == 0


def test_upload_size_limit_is_checked_before_anything_is_written(monkeypatch):
    monkeypatch.setenv("FRONTLINE_MAX_IMPORT_MB", "1")
    upload = import_upload("../../etc/big.csv", b"lon,lat\n" + b"30,50\n" * 300_000)
    assert upload.result is None
    assert upload.error == "big.csv: 1.8 MB is over the upload limit of 1 MB"
    assert DEFAULT_MAX_BYTES >= 100 * 2**20  # the documented default stays generous
