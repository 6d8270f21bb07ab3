"""End-to-end benchmark: the app and the naive way on a big synthetic store, in headless chromium.

    python bench/run.py [--quick] [--data DIR] [--steps 30] [--heap-steps 100]

Generates the data set when it is not there yet (``bench/generate.py``; reused from
/tmp/frontline-bench/full or /quick), starts ``streamlit_app.py`` on it, then
``bench/naive_app.py`` (each step: ``GeoDataFrame.explore()`` of the date's zones in a fresh
``st_folium``), drives each with Debian's chromium (no internet) by pressing ArrowRight on the
date slider, and prints ONE JSON line: our figures at the top level, the naive way's under
``naive``, naive/ours ratios under ``ratios``, and the targets under ``targets`` (a table
goes to stderr). Figures: see bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402
from geo.atlas import Atlas  # noqa: E402
from tests.browser.harness import app_server, browser, offline_page  # noqa: E402

WORK = Path("/tmp/frontline-bench")
TIMEOUT_MS = 600_000
# Target per figure: (comparison, value); ratios are naive / ours.
TARGETS = {"cold_start_s": ("<=", 5), "step_server_ms": ("<=", 150), "step_bytes": ("<=", 300_000),
           "step_paint_ms": ("<=", 400), "heap_growth": ("<=", 2.0), "rss_mb": ("<=", 1500),
           "ratio_step_server_ms": (">=", 5), "ratio_step_bytes": (">=", 5)}
# Page-level helpers. A paint is new polygon elements in a map iframe's zones pane (ours) or overlay pane
# (explore()): Leaflet re-uses a path element when it only re-projects it (resize, pan), so path elements
# not seen before mean new zones were drawn. Seen elements are tagged.
PATHS = """Array.from(document.querySelectorAll("iframe[title*='streamlit_folium']")).flatMap(frame =>
    frame.contentDocument ? Array.from(frame.contentDocument.querySelectorAll(
      ".leaflet-zones-pane path, .leaflet-overlay-pane path")) : [])"""
# At each keydown, remember the outlines drawn; a step has painted when a polygon outline not
# among them is drawn. (Comparing outlines, not elements: Leaflet makes new elements when it
# re-adds a layer, as our map does with the previous zones until the new ones have arrived.)
HELPERS = """() => {
  window.__flKey = 0;
  window.__flPaths = () => """ + PATHS + """;
  document.addEventListener("keydown", () => {
    window.__flKey = performance.now();
    window.__flBefore = new Set(window.__flPaths().map(p => p.getAttribute("d")));
  }, true);
}"""
CHANGED = """() => {
  if (document.querySelector("[data-testid='stException']")) { return -1; }
  const before = window.__flBefore;
  const fresh = window.__flPaths().some(p => !before || !before.has(p.getAttribute("d")));
  return fresh ? performance.now() : false;
}"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")


def frame_bytes(payload: str, opcode: int) -> int:
    """Size of a websocket frame: CDP gives binary frames base64-encoded."""
    if opcode == 2:
        return len(payload) * 3 // 4 - payload[-2:].count("=")
    return len(payload.encode())


def server_rss_mb(port: int) -> float:
    """Peak RSS (VmHWM) of the streamlit process listening on ``port`` plus its descendants, in MB."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(args) and str(port).encode() in args:
                pids.append(int(entry.name))
    todo, total = list(pids), 0
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return round(total / 1024, 1)


def naive_launcher() -> Path:
    """A folder holding a launcher for bench/naive_app.py and a ``static`` link to the app's static files.

    Streamlit serves ``/app/static`` from the main script's folder; the launcher makes the
    naive app load Leaflet from the same local files as ours.
    """
    folder = WORK / "naive-app"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "static"
    if not link.exists():
        link.symlink_to(ROOT / "static", target_is_directory=True)
    script = folder / "naive_app.py"
    script.write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'bench' / 'naive_app.py')!r}, run_name='__main__')\n")
    return script


class Session:
    """One app in one page: cold start, then slider steps with server time, bytes, paint and heap."""

    def __init__(self, b, data: Path, script: Path, timings: Path) -> None:
        self.b, self.data, self.script, self.timings = b, data, script, timings
        self.frames: list[tuple[float, int]] = []
        self.sent: list[float] = []
        self.frame_ts: list[float] = []  # the browser's own timestamps of the same frames (precise)
        self.sent_ts: list[float] = []
        self.http: list[int] = []  # bytes of each HTTP response (as sent, compressed), in arrival order

    def runs(self) -> list[dict]:
        if not self.timings.exists():
            return []
        return [json.loads(line) for line in self.timings.read_text().splitlines() if line.strip()]

    def settle(self, page, runs_before: int, quiet_s: float = 0.25) -> None:
        """Wait until a script run was logged and the websocket was quiet for ``quiet_s``."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while len(self.runs()) <= runs_before or time.monotonic() - self.last_frame() < quiet_s:
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not finish a script run")
            page.wait_for_timeout(50)

    def wait_paint(self, page) -> float:
        """Wait until the map's polygons differ from the last seen; returns the page time they did."""
        painted = page.wait_for_function(CHANGED, polling="raf", timeout=TIMEOUT_MS).json_value()
        if painted == -1:
            error = page.locator("[data-testid='stException']").first.inner_text()
            raise RuntimeError(f"{self.script.name} failed in the browser: {error[:2000]}")
        return painted

    def last_frame(self) -> float:
        return self.frames[-1][0] if self.frames else 0.0

    def measure(self, start: dt.date, steps: int, heap_steps: int) -> dict:
        self.timings.unlink(missing_ok=True)
        page = offline_page(self.b)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", lambda e: self.frames.append(
            (time.monotonic(), frame_bytes(e["response"]["payloadData"], e["response"]["opcode"]))))
        cdp.on("Network.webSocketFrameSent", lambda e: self.sent.append(time.monotonic()))
        cdp.on("Network.webSocketFrameReceived", lambda e: self.frame_ts.append(e["timestamp"]))
        cdp.on("Network.webSocketFrameSent", lambda e: self.sent_ts.append(e["timestamp"]))
        cdp.on("Network.loadingFinished", lambda e: self.http.append(int(e["encodedDataLength"])))
        launched = time.perf_counter()
        with app_server(self.data, env={"FRONTLINE_TIMINGS": str(self.timings)}, script=self.script) as url:
            ready = round(time.perf_counter() - launched, 2)
            page.goto(f"{url}/?date={start.isoformat()}")
            page.evaluate(HELPERS)
            self.wait_paint(page)
            out = {"cold_start_s": round(time.perf_counter() - launched, 2), "server_ready_s": ready}
            log(f"{self.script.name}: map painted {out['cold_start_s']} s after launch")
            self.settle(page, 0)
            out["cold_bytes"] = sum(n for _, n in self.frames)
            out["cold_server_ms"] = max(r["ms"] for r in self.runs())
            server, sizes, paint, delay, heap, http, roundtrip = [], [], [], [], {}, [], []
            slider = page.get_by_role("slider").first
            for i in range(1, max(steps, heap_steps) + 1):
                slider.focus()
                runs_before, frames_before, sent_before = len(self.runs()), len(self.frames), len(self.sent)
                http_before = len(self.http)
                pressed = time.monotonic()
                page.keyboard.press("ArrowRight")
                painted = self.wait_paint(page)
                paint.append(painted - page.evaluate("() => window.__flKey"))
                self.settle(page, runs_before)
                server.append(max(r["ms"] for r in self.runs()[runs_before:]))  # a full run nests the fragment
                sizes.append(sum(n for _, n in self.frames[frames_before:]))
                http.append(sum(self.http[http_before:]))
                if len(self.sent_ts) > sent_before:  # request sent -> last frame of the step's answer
                    roundtrip.append(1000 * (self.frame_ts[-1] - self.sent_ts[sent_before]))
                if len(self.sent) > sent_before:
                    delay.append(1000 * (self.sent[sent_before] - pressed))
                if i % 10 == 0:
                    log(f"{self.script.name}: step {i}, median server {median(server):.0f} ms, "
                        f"paint {median(paint):.0f} ms, {median(sizes) / 1e3:.0f} kB")
                if i in (10, heap_steps):
                    cdp.send("HeapProfiler.collectGarbage")
                    heap[i] = round(cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6, 1)
            out.update({
                "step_server_ms": median(server[:steps]), "step_bytes": int(median(sizes[:steps])),
                "step_paint_ms": median(paint[:steps]), "step_send_delay_ms": median(delay[:steps]),
                "step_http_bytes": int(median(http[:steps])), "step_roundtrip_ms": median(roundtrip[:steps]),
                "step_server_ms_max": round(max(server[:steps]), 1), "step_paint_ms_max": round(max(paint[:steps]), 1),
                "heap_mb_10": heap.get(10), f"heap_mb_{heap_steps}": heap.get(heap_steps),
                "rss_mb": server_rss_mb(int(url.rsplit(":", 1)[1])),
            })
        page.close()
        return out


def table(result: dict, heap_key: str) -> str:
    """A readable table of the figures with the targets, for stderr."""
    ours, naive, ratios = result, result["naive"], result["ratios"]
    rows = [f"{'figure':<22}{'ours':>12}{'naive':>12}  target"]
    for key in ("cold_start_s", "server_ready_s", "cold_server_ms",
                "step_server_ms", "step_roundtrip_ms", "step_bytes", "step_http_bytes", "step_paint_ms",
                "step_send_delay_ms", "heap_mb_10",
                heap_key, "rss_mb"):
        target = result["targets"].get(key, "")
        rows.append(f"{key:<22}{ours.get(key)!s:>12}{naive.get(key)!s:>12}  {target}")
    for key, value in ratios.items():
        rows.append(f"{'ratio_' + key:<22}{value!s:>12}{'':>12}  {result['targets'].get('ratio_' + key, '')}")
    return "\n".join(rows)


def targets(result: dict, heap_key: str) -> dict:
    """Each target as text with its measured value and whether it is met (not pass/fail)."""
    values = {k: result.get(k) for k in ("cold_start_s", "step_server_ms", "step_bytes", "step_paint_ms", "rss_mb")}
    if result.get("heap_mb_10") and result.get(heap_key):
        values["heap_growth"] = round(result[heap_key] / result["heap_mb_10"], 2)
    values.update({f"ratio_{k}": v for k, v in result["ratios"].items()})
    out = {}
    for key, (op, limit) in TARGETS.items():
        value = values.get(key)
        met = value is not None and (value <= limit if op == "<=" else value >= limit)
        label = {"heap_growth": f"{heap_key} <= 2 x heap_mb_10"}.get(key, f"{op} {limit}")
        out[key] = {"target": label, "value": value, "met": met}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small generated set; finishes in under a minute")
    ap.add_argument("--data", type=Path, default=None, help="data directory (default: generated under /tmp)")
    ap.add_argument("--steps", type=int, default=None, help="slider steps the medians are taken over "
                    "(default 30; 10 with --quick)")
    ap.add_argument("--heap-steps", type=int, default=None, help="steps before the second heap reading "
                    "(default 100; 20 with --quick)")
    ap.add_argument("--skip-naive", action="store_true", help="measure only the app")
    args = ap.parse_args(argv)
    steps = args.steps or (10 if args.quick else 30)
    heap_steps = args.heap_steps or (20 if args.quick else 100)
    started = time.perf_counter()
    data = args.data or generate.ensure(WORK / ("quick" if args.quick else "full"),
                                        generate.QUICK if args.quick else generate.Params())
    first, last = Atlas.load(data).dates
    start = max(first, last - dt.timedelta(days=max(steps, heap_steps) + 5))
    WORK.mkdir(parents=True, exist_ok=True)
    with browser() as b:
        ours = Session(b, data, ROOT / "streamlit_app.py", WORK / "timings-app.jsonl").measure(
            start, steps, heap_steps)
        naive = {} if args.skip_naive else Session(b, data, naive_launcher(), WORK / "timings-naive.jsonl").measure(
            start, steps, heap_steps)
    heap_key = f"heap_mb_{heap_steps}"
    result = {"data": str(data), "from": str(start), "steps": steps, **ours, "naive": naive}
    result["ratios"] = {k: round(naive[k] / ours[k], 1) if naive.get(k) and ours.get(k) else None
                        for k in ("step_server_ms", "step_bytes", "step_paint_ms")}
    result["targets"] = targets(result, heap_key)
    result["bench_s"] = round(time.perf_counter() - started, 1)
    print(table({**result, "targets": {k: v["target"] for k, v in result["targets"].items()}}, heap_key),
          file=sys.stderr)
    print(json.dumps(result))
    shutil.rmtree(WORK / "naive-app", ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
