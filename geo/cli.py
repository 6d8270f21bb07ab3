"""The command line: ``python -m geo COMMAND ...``.

Exit codes: 0 ok, 2 bad arguments or input (one sentence naming the file/row/field), 1 internal error.
Each command is a function registered in ``COMMANDS`` with the parser that configures it.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from geo import export, model
from geo.atlas import Atlas


class UsageError(model.DataError):
    """Bad command-line arguments."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every bad input gets the same handling."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _write(path: str, text: str) -> None:
    out = Path(path)
    if out.parent and not out.parent.exists():
        raise model.DataError(f"output folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(out)


def cmd_export(args: argparse.Namespace) -> int:
    """export snapshot: write the GeoJSON snapshot of one date."""
    atlas = Atlas.load(args.data)
    collection = export.snapshot(atlas, args.date, args.layers, args.source, args.window)
    _write(args.out, export.dumps(collection))
    counts = ", ".join(f"{v} {k}" for k, v in collection["metadata"]["counts"].items())
    print(f"wrote {args.out}: {counts} at {collection['metadata']['date']}", file=sys.stderr)
    return 0


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default=None, help="data directory (default: the embedded data/)")


def _configure_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a GeoJSON snapshot of one date")
    p.add_argument("what", choices=["snapshot"], help="what to export")
    p.add_argument("--date", required=True, help="date YYYY-MM-DD (UTC)")
    p.add_argument("--out", required=True, help="output .geojson file")
    p.add_argument("--layers", default=None, help="comma-separated: control,towns,strikes (default all)")
    p.add_argument("--source", default=None, help="control source (default: the one with most snapshots)")
    p.add_argument("--window", type=int, default=1, help="strike window in days ending at the date (default 1)")
    _add_data(p)
    p.set_defaults(func=cmd_export)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_configure_export]


def build_parser() -> Parser:
    """The full parser with every registered command."""
    parser = Parser(prog="python -m geo", description="frontline: map a war as it moves")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for configure in COMMANDS:
        configure(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except model.DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - the last line of defence prints the trace for a bug report
        traceback.print_exc()
        print("error: internal error (the trace above is a bug; please report it)", file=sys.stderr)
        return 1
