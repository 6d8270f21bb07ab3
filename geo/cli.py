"""The command line: ``python -m geo COMMAND ...``.

Exit codes: 0 ok, 2 bad arguments or input (one sentence naming the file/row/field), 1 internal error.
Each command is a module listed in ``geo.commands.COMMANDS`` with a ``configure(subparsers)``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

from geo import model


class UsageError(model.DataError):
    """Bad command-line arguments."""


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every bad input gets the same handling."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def write_output(path: str, text: str | bytes) -> None:
    """Write an output file through a temp file; DataError when its folder does not exist."""
    out = Path(path)
    if not out.parent.exists():
        raise model.DataError(f"output folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.tmp")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text, "utf-8")
    tmp.replace(out)


def add_data(p: argparse.ArgumentParser) -> None:
    """The shared ``--data DIR`` option."""
    p.add_argument("--data", default=None, help="data directory (default: the embedded data/)")


def build_parser() -> Parser:
    """The full parser with every registered command."""
    from geo.commands import COMMANDS  # commands import this module's helpers
    parser = Parser(prog="python -m geo", description="frontline: map a war as it moves")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS:
        importlib.import_module(module).configure(sub)
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
