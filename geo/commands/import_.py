"""``python -m geo import SOURCE PATH... --into DIR``: read files into a store, lose no row."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from geo import importers, store
from geo.importers.base import DEFAULT_MAX_BYTES, Options
from geo.model import DataError


def parse_mapping(text: str | None) -> dict[str, str]:
    """``time=date_start,kind=type`` as {canonical: file column}."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise DataError(f"--map entry '{part}' is not canonical=column")
        key, value = (x.strip() for x in part.split("=", 1))
        out[key] = value
    return out


def run(args: argparse.Namespace) -> int:
    importer = importers.get(args.source)
    max_mb = args.max_size or float(os.environ.get("FRONTLINE_MAX_IMPORT_MB", DEFAULT_MAX_BYTES / 1e6))
    options = Options(layer=args.layer, mapping=parse_mapping(args.map), max_bytes=int(max_mb * 1e6))
    files = importer.files([Path(p) for p in args.paths])
    if not files:
        raise DataError(f"no input files for {args.source} in {', '.join(args.paths)}")
    results, failed = [], 0
    for n, path in enumerate(files, 1):
        print(f"[{n}/{len(files)}] {args.source}: {path.name}", file=sys.stderr, flush=True)
        try:
            result = importers.run_file(importer, path, options)
        except DataError as exc:  # one bad file does not stop the others
            print(f"  error: {exc}", file=sys.stderr)
            failed += 1
            continue
        results.append(result)
        stored = ", ".join(f"{len(v)} {k}" for k, v in result.frames.items() if len(v)) or "nothing"
        print(f"  read {result.read}, stored {stored}, rejected {len(result.rejects)}", file=sys.stderr)
    store.merge(Path(args.into), importer, results)
    reasons = Counter(r.reason for res in results for r in res.rejects)
    total_read = sum(r.read for r in results)
    total_rejected = sum(len(r.rejects) for r in results)
    print(f"{args.source}: {len(results)} file(s), {total_read} rows read, {total_read - total_rejected} stored, "
          f"{total_rejected} rejected (see {Path(args.into) / store.REJECTS})", file=sys.stderr)
    for reason, count in reasons.most_common(8):
        print(f"  {count:6d} x {reason}", file=sys.stderr)
    return 2 if failed else 0


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import source files into a data directory")
    p.add_argument("source", help=f"one of: {', '.join(importers.BUILTIN)}")
    p.add_argument("paths", nargs="+", help="files, or folders (every matching file in them)")
    p.add_argument("--into", required=True, help="data directory to create or update")
    p.add_argument("--layer", choices=["control", "towns", "strikes"], default=None,
                   help="generic: the layer the file feeds (guessed when omitted)")
    p.add_argument("--map", default=None, help="generic: column mapping, e.g. time=date_start,kind=type")
    p.add_argument("--max-size", type=float, default=None, help="per-file size limit in MB (default 200)")
    p.set_defaults(func=run)
