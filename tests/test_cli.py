"""The CLI, tested with real invocations of ``python -m geo``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.atlas import Atlas

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def tiny_dir(tiny, tmp_path) -> Path:
    tiny.save(tmp_path / "atlas")
    return tmp_path / "atlas"


def test_export_snapshot_writes_geojson(tiny_dir, tmp_path):
    out = tmp_path / "s.geojson"
    result = run("export", "snapshot", "--date", "2022-03-05", "--data", str(tiny_dir), "--out", str(out),
                 "--layers", "control,strikes", "--window", "7")
    assert result.returncode == 0, result.stderr
    fc = json.loads(out.read_text())
    assert {f["properties"]["layer"] for f in fc["features"]} == {"control", "strikes"}
    assert fc["metadata"]["counts"] == {"control": 2, "strikes": 4}
    assert "wrote" in result.stderr


def test_saved_atlas_round_trips(tiny, tiny_dir):
    back = Atlas.load(tiny_dir)
    assert len(back.control) == 3 and len(back.towns) == 3 and len(back.strikes) == 4
    assert back.control["as_of"].dt.tz is not None
    assert back.manifest == tiny.manifest


@pytest.mark.parametrize("args,message", [
    (["export", "snapshot", "--date", "1999-01-01"], "outside the data"),
    (["export", "snapshot", "--date", "2022-03-01", "--layers", "roads"], "unknown layer 'roads'"),
    (["export", "snapshot", "--date", "2022-03-01", "--data", "/nonexistent"], "does not exist"),
    (["export", "snapshot"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_sentence(tiny_dir, tmp_path, args, message):
    if "--data" not in args:
        args = [*args, "--data", str(tiny_dir)]
    result = run(*args, "--out", str(tmp_path / "x.geojson")) if args[0] == "export" else run(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_data_directory_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("export", "snapshot", "--date", "2022-03-01", "--data", str(tmp_path / "empty"),
                 "--out", str(tmp_path / "x.geojson"))
    assert result.returncode == 2
    assert "holds no control zones, towns or strikes" in result.stderr
