"""``python -m geo stats``: km² per status and snapshot (CSV), the front line's length, strike counts."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from geo import stats
from geo.atlas import Atlas
from geo.cli import UsageError, add_data, write_output


def progress(what: str) -> stats.Progress:
    """A progress printer for stderr (every 25 items and the last)."""
    def show(n: int, total: int) -> None:
        if n % 25 == 0 or n == total:
            print(f"  {what}: {n}/{total} snapshots", file=sys.stderr, flush=True)
    return show


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with a fixed float format and no index."""
    return frame.to_csv(index=False, float_format="%.3f", lineterminator="\n")


def run(args: argparse.Namespace) -> int:
    atlas = Atlas.load(args.data)
    if args.strikes:
        first, last = atlas.dates
        table = stats.strike_counts(atlas, args.date_from or first, args.date_to or last, args.by)
        write_output(args.out, csv_text(table))
        print(f"wrote {args.out}: {int(table['strikes'].sum())} strikes by {args.by} in {len(table)} rows",
              file=sys.stderr)
        return 0
    if args.date_from or args.date_to or args.by != "kind":
        raise UsageError("--from, --to and --by go with --strikes")
    series = stats.area_series(atlas, args.source, progress("areas"))
    write_output(args.out, csv_text(series))
    print(f"wrote {args.out}: {series['as_of'].nunique()} snapshot(s), {len(series)} rows", file=sys.stderr)
    if args.frontline_out:
        front = stats.frontline_series(atlas, args.source, progress("front line"))
        write_output(args.frontline_out, csv_text(front))
        print(f"wrote {args.frontline_out}: front-line length of {len(front)} snapshot(s)", file=sys.stderr)
    return 0


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="areas per status and snapshot, front-line length, strike counts (CSV)")
    p.add_argument("--out", required=True, help="output .csv file")
    p.add_argument("--source", default=None, help="control source (default: every loaded source)")
    p.add_argument("--frontline-out", default=None, help="also write the front-line length per snapshot here (CSV)")
    p.add_argument("--strikes", action="store_true", help="count strikes instead of areas")
    p.add_argument("--from", dest="date_from", default=None, help="strikes: first date (default: first in the data)")
    p.add_argument("--to", dest="date_to", default=None, help="strikes: last date, included (default: last)")
    p.add_argument("--by", choices=stats.STRIKE_BY, default="kind", help="strikes: grouping (default kind)")
    add_data(p)
    p.set_defaults(func=run)
