"""Concurrent use: sessions never see each other's state, and readers never see a half-written store.

* Two AppTest sessions of the real app (one on a small store with an upload, one on the
  embedded data) at different dates: each keeps its own date, data and upload.
* An import running in another process rewrites a store again and again while this process
  ``Atlas.load``s it in a loop: every read is the old or the new data, never an exception.
  A deliberately torn (non-atomic) writer shows the reader would notice.
* Map assets published by several sessions at once never collide.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import model
from geo.atlas import Atlas
from layers.basemap import AssetStore
from tests.conftest import tiny_frames

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
MARK = "ONLY-IN-SESSION-A"
UPLOAD = (b"event_id,time,kind,lon,lat,description\n"
          b"a1,2022-03-05T08:00,missile,30.6,48.6," + MARK.encode() + b"\n")


def map_script(at: AppTest) -> str:
    """Everything session ``at`` sent to its map (base script and the date's feature groups)."""
    comps = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    assert len(comps) == 1
    args = json.loads(comps[0].proto.json_args)
    return args["script"] + args.get("feature_group", "")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "small"
    frames = {k: model.normalize(k, v)[0] for k, v in tiny_frames().items()}
    Atlas(**frames, manifest={"attribution": {"t": "Small test store"}}).save(path)
    return path


def test_two_sessions_on_different_data_and_dates_do_not_share_state(small_store, monkeypatch):
    monkeypatch.setenv("FRONTLINE_DATA", str(small_store))
    a = AppTest.from_file(APP, default_timeout=120)
    a.run()
    b = AppTest.from_file(APP, default_timeout=120)
    b.run()
    assert not a.exception and not b.exception
    b.selectbox(key="data_dir").set_value("Embedded sample data").run()
    b.slider(key="date_slider").set_value(dt.date(2023, 5, 21)).run()
    a.slider(key="date_slider").set_value(dt.date(2022, 3, 5)).run()
    a.sidebar.file_uploader[0].set_value(("mine.csv", UPLOAD, "text/csv"))
    a.run()
    assert not a.exception and not b.exception, (a.exception, b.exception)
    b.run()  # B reruns after A's upload and date change
    assert a.session_state.date == dt.date(2022, 3, 5) and b.session_state.date == dt.date(2023, 5, 21)
    assert MARK in map_script(a) and MARK not in map_script(b)
    assert "Small test store" in a.sidebar.caption[-1].value and "Small test store" not in b.sidebar.caption[-1].value
    c = AppTest.from_file(APP, default_timeout=120)  # a new session on A's data: the shared base has no upload
    c.run()
    c.slider(key="date_slider").set_value(dt.date(2022, 3, 5)).run()
    assert not c.exception and MARK not in map_script(c)
    a.run()
    assert MARK in map_script(a), "A keeps its upload after the others ran"


# ---- an import rewriting a store while another process reads it --------------------------------
WRITER = """
import sys, time
from pathlib import Path
import pandas as pd
from geo import store
from geo.importers import Options, get, run_file
src, into, until = Path(sys.argv[1]), Path(sys.argv[2]), time.monotonic() + float(sys.argv[3])
importer, n = get("generic"), 0
while n == 0 or time.monotonic() < until:
    rows = 3000 if n % 2 else 2000
    pd.DataFrame({"event_id": [f"e{i}" for i in range(rows)], "time": "2022-03-01", "kind": "drone",
                  "lon": 36.2, "lat": 49.9, "description": f"version {rows}"}).to_csv(src, index=False)
    store.merge(into, importer, [run_file(importer, src, Options(layer="strikes"))])
    n += 1
print(n)
"""


def read_loop(store: Path, seconds: float) -> tuple[int, set[int], list[str]]:
    """Load ``store`` for ``seconds``: (reads, strike counts seen, problems found)."""
    reads, counts, problems = 0, set(), []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            atlas = Atlas.load(store)
            strikes = atlas.strikes
            versions = set(strikes["description"])
            if len(strikes) not in (2000, 3000) or versions != {f"version {len(strikes)}"}:
                problems.append(f"mixed or partial data: {len(strikes)} rows, {sorted(versions)[:3]}")
            counts.add(len(strikes))
        except Exception as exc:  # noqa: BLE001 - any exception is the failure this test looks for
            problems.append(f"{type(exc).__name__}: {exc}"[:300])
        reads += 1
    return reads, counts, problems


def test_reader_sees_old_or_new_data_while_an_import_rewrites_the_store(tmp_path):
    store = tmp_path / "store"
    src = tmp_path / "feed.csv"
    subprocess.run([sys.executable, "-c", WRITER, str(src), str(store), "0"], cwd=ROOT, check=True, timeout=60)
    assert len(Atlas.load(store).strikes) == 2000  # one version written before the reader starts
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(src), str(store), "7"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        time.sleep(2.5)  # the writer's start-up
        reads, counts, problems = read_loop(store, 4.0)
    finally:
        rewrites = int(writer.communicate(timeout=60)[0].strip() or 0)
    print(f"\n{reads} loads during {rewrites} rewrites; strike counts seen: {sorted(counts)}")
    assert problems == []
    assert reads >= 10 and rewrites >= 3, (reads, rewrites)
    assert counts == {2000, 3000}, "the reader saw both versions, so reads overlapped the rewrites"


def test_a_torn_in_place_write_would_be_noticed(tmp_path):
    """Harness check: writing the same file in place (no temp file + rename) is caught by the reader."""
    store = tmp_path / "store"
    frames = {k: model.normalize(k, v)[0] for k, v in tiny_frames().items()}
    Atlas(**frames).save(store)
    target = store / "strikes.parquet"
    data = target.read_bytes()
    stop = threading.Event()

    def torn_writer() -> None:
        while not stop.is_set():
            with open(target, "wb") as fh:  # what atomic_write avoids: readers can open the file half-written
                fh.write(data[: len(data) // 2])
                fh.flush()
                time.sleep(0.02)
                fh.write(data[len(data) // 2:])

    thread = threading.Thread(target=torn_writer)
    thread.start()
    try:
        errors = 0
        for _ in range(200):
            try:
                pd.read_parquet(target)
            except Exception:  # noqa: BLE001
                errors += 1
    finally:
        stop.set()
        thread.join()
    assert errors > 0


def test_assets_published_by_concurrent_sessions_never_collide(tmp_path):
    assets = AssetStore(tmp_path / "generated", "/app/static/generated")
    payloads = [{"n": i, "pad": "x" * 100_000} for i in range(60)]
    barrier, errors = threading.Barrier(4), []

    def session() -> None:
        for data in payloads:
            barrier.wait()
            try:
                assets.publish(data)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))

    threads = [threading.Thread(target=session) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    files = sorted((tmp_path / "generated").iterdir())
    assert len(files) == 60 and all(json.loads(f.read_text("utf-8"))["pad"] == "x" * 100_000 for f in files)
