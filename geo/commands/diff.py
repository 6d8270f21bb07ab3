"""``python -m geo diff --from D1 --to D2``: gains, losses and towns that changed hands, as GeoJSON."""

from __future__ import annotations

import argparse
import sys

from geo import changes, export
from geo.atlas import Atlas
from geo.cli import add_data, write_output


def run(args: argparse.Namespace) -> int:
    atlas = Atlas.load(args.data)
    d = changes.diff(atlas, args.date_from, args.date_to, args.source)
    collection = changes.to_geojson(d, atlas)
    write_output(args.out, export.dumps(collection))
    t, dropped = d.totals(), collection["metadata"]["slivers_dropped"]
    print(f"wrote {args.out}: {d.source} {d.snapshot_from:%Y-%m-%d %H:%M} -> {d.snapshot_to:%Y-%m-%d %H:%M} UTC; "
          f"gain {t['gain']:,.1f} km², loss {t['loss']:,.1f} km², net {t['net']:+,.1f} km²; "
          f"contested +{t['contested_gain']:,.1f}/-{t['contested_loss']:,.1f} km²; "
          f"{len(d.towns)} town(s) changed hands; {dropped['count']} sliver(s) dropped "
          f"({dropped['area_km2']:.2f} km²)", file=sys.stderr)
    if not d.admin1_loaded:
        print(f"note: {changes.ADMIN1_HINT}; admin1 is null", file=sys.stderr)
    return 0


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diff", help="what changed between two dates of one source (GeoJSON)")
    p.add_argument("--from", dest="date_from", required=True, help="first date YYYY-MM-DD (UTC)")
    p.add_argument("--to", dest="date_to", required=True, help="second, later date YYYY-MM-DD (UTC)")
    p.add_argument("--out", required=True, help="output .geojson file")
    p.add_argument("--source", default=None, help="control source (default: the one with most snapshots)")
    add_data(p)
    p.set_defaults(func=run)
