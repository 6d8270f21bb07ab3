"""Slider-step benchmark on a data directory (default: the embedded data/).

    python bench/step.py [--data DIR] [--steps N]

Prints, per step over N consecutive dates: the server time to build the date's feature
groups (layers only), the whole script run (AppTest), and the bytes of the map component's
arguments sent for the step (feature_group and the full json_args), as medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from geo.atlas import Atlas  # noqa: E402
from layers import REGISTRY, View  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--start", default=None, help="first date (default: 60 days before the end)")
    args = ap.parse_args()
    if args.data:
        os.environ["FRONTLINE_DATA"] = args.data
    atlas = Atlas.load(args.data)
    first, last = atlas.dates
    start = dt.date.fromisoformat(args.start) if args.start else max(first, last - dt.timedelta(days=args.steps * 2))
    dates = [start + dt.timedelta(days=i) for i in range(args.steps)]
    source = atlas.sources[0]

    build_ms = []
    for d in dates:  # cold cache per snapshot, as in a first replay
        t = time.perf_counter()
        for layer in REGISTRY.values():
            if layer.default_on:
                layer.feature_group(atlas, View(d, source, 7))
        build_ms.append(1000 * (time.perf_counter() - t))

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    run_ms, fg_bytes, all_bytes = [], [], []
    for d in dates:
        t = time.perf_counter()
        at.slider(key="date_slider").set_value(d).run()
        run_ms.append(1000 * (time.perf_counter() - t))
        comp = [e for e in at.main if getattr(e, "type", "") == "component_instance"][0]
        args_json = json.loads(comp.proto.json_args)
        fg_bytes.append(len((args_json["feature_group"] or "").encode()))
        all_bytes.append(len(comp.proto.json_args.encode()))
    print(json.dumps({
        "data": str(atlas.path), "steps": len(dates), "from": str(dates[0]), "to": str(dates[-1]),
        "build_feature_groups_ms_median": round(statistics.median(build_ms), 1),
        "build_feature_groups_ms_max": round(max(build_ms), 1),
        "script_run_ms_median": round(statistics.median(run_ms), 1),
        "feature_group_bytes_median": int(statistics.median(fg_bytes)),
        "component_args_bytes_median": int(statistics.median(all_bytes)),
    }))


if __name__ == "__main__":
    main()
