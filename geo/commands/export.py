"""``python -m geo export snapshot``: the GeoJSON snapshot of one date."""

from __future__ import annotations

import argparse
import sys

from geo import export
from geo.atlas import Atlas
from geo.cli import add_data, write_output


def run(args: argparse.Namespace) -> int:
    atlas = Atlas.load(args.data)
    collection = export.snapshot(atlas, args.date, args.layers, args.source, args.window)
    write_output(args.out, export.dumps(collection))
    counts = ", ".join(f"{v} {k}" for k, v in collection["metadata"]["counts"].items())
    print(f"wrote {args.out}: {counts} at {collection['metadata']['date']}", file=sys.stderr)
    return 0


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a GeoJSON snapshot of one date")
    p.add_argument("what", choices=["snapshot"], help="what to export")
    p.add_argument("--date", required=True, help="date YYYY-MM-DD (UTC)")
    p.add_argument("--out", required=True, help="output .geojson file")
    p.add_argument("--layers", default=None, help="comma-separated: control,towns,strikes (default all)")
    p.add_argument("--source", default=None, help="control source (default: the one with most snapshots)")
    p.add_argument("--window", type=int, default=1, help="strike window in days ending at the date (default 1)")
    add_data(p)
    p.set_defaults(func=run)
