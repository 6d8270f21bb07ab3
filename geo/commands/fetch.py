"""``python -m geo fetch deepstate --since D --into DIR``: download live versions politely, then import them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.fetch import DEFAULT_BASE_URL, Client, fetch_deepstate
from geo.model import DataError


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    if args.pause < 0 or args.timeout <= 0 or args.retries < 0:
        raise DataError("--pause and --retries must be >= 0 and --timeout > 0")
    if not args.base_url.startswith(("http://", "https://")):
        raise DataError(f"--base-url {args.base_url!r} must start with http:// or https://")
    client = Client(base_url=args.base_url, pause=args.pause, timeout=args.timeout, retries=args.retries)
    counts = fetch_deepstate(Path(args.into), args.since, args.until, client, _log)
    _log(f"deepstate: {counts['versions']} version(s), {counts['downloaded']} downloaded, {counts['files']} imported "
         f"({counts['zones']} zones, {counts['markers']} markers, {counts['rejected']} rejected), "
         f"{counts['unchanged']} already imported; {client.requests} request(s). "
         "Data: DeepStateMap (deepstatemap.live), free for non-commercial use with attribution")
    return 2 if counts["failed"] else 0


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fetch", help="download a live source into a data directory (politely, resumable)")
    p.add_argument("source", choices=["deepstate"], help="deepstate: DeepStateMap's public history API")
    p.add_argument("--into", required=True, help="data directory to create or update (raw files in DIR/raw/)")
    p.add_argument("--since", default=None,
                   help="first version: a UTC date YYYY-MM-DD or a version id (default: the newest already in DIR)")
    p.add_argument("--until", default=None, help="last version: a UTC date (whole day) or a version id")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between requests (default 1)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one answer (default 60)")
    p.add_argument("--retries", type=int, default=2, help="retries of a failed request, with back-off (default 2)")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"API root (default {DEFAULT_BASE_URL})")
    p.set_defaults(func=run)
