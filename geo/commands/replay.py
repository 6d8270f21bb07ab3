"""``python -m geo replay --from D1 --to D2 --out F.mp4|F.gif|F.html``: an animated replay for briefings."""

from __future__ import annotations

import argparse
import sys
import time

from geo import replay
from geo.atlas import Atlas
from geo.cli import add_data


def progress_printer(label: str):
    """A progress callback printing '<label>: done/total' to stderr about twice a second, and at the end."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= 0.5:
            last[0] = now
            end = "\n" if done == total else ""
            print(f"\r{label}: {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def run(args: argparse.Namespace) -> int:
    atlas = Atlas.load(args.data)
    spec = replay.make_spec(atlas, args.date_from, args.date_to, step=args.step, fps=args.fps, size=args.size,
                            title=args.title, region=args.region, source=args.source, window_days=args.window)
    n = len(replay.frame_dates(spec))
    started = time.monotonic()
    out = replay.render(atlas, spec, args.out, progress_printer("rendering"))
    size = out.stat().st_size
    print(f"wrote {out}: {n} frames, {spec.start} to {spec.end} every {spec.step_days} day(s), "
          f"{size / 1e6:.2f} MB in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="render an animated replay (MP4, GIF or self-contained HTML)")
    p.add_argument("--from", dest="date_from", metavar="D1", required=True, help="first date YYYY-MM-DD (UTC)")
    p.add_argument("--to", dest="date_to", metavar="D2", required=True, help="last date YYYY-MM-DD (UTC)")
    p.add_argument("--out", required=True, metavar="FILE", help="output file: .mp4, .gif or .html")
    p.add_argument("--step", default="1d", help="days between frames: 1d (default), 7d, ...")
    p.add_argument("--fps", type=int, default=8, help="frames per second (default 8)")
    p.add_argument("--size", default="1280x720", help=f"frame size for MP4/GIF: {' or '.join(replay.SIZES)} "
                   "(default 1280x720)")
    p.add_argument("--title", default=None, help="title shown on every frame")
    p.add_argument("--region", default=None,
                   help="'minlon,minlat,maxlon,maxlat' or an oblast name (needs imported boundaries)")
    p.add_argument("--source", default=None, help="control source (default: the one with most snapshots)")
    p.add_argument("--window", type=int, default=7, help="strike window in days ending at each date (default 7)")
    add_data(p)
    p.set_defaults(func=run)
