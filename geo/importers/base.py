"""What every importer shares: the Importer base class, results, and safe file reading.

An importer reads ONE input file into canonical frames (``control``, ``towns``,
``strikes``) and/or extra tables (e.g. ``markers``, ``boundaries``, ``alerts``,
``town_evidence``), plus rejects. Each frame's index is the input row/feature label that a
reject names: CSV data rows from 1 (``read_csv`` does this), GeoJSON features from 0.
``run_file`` then validates the canonical frames with
``geo.model.normalize`` and checks the nothing-lost identity: rows read = stored + rejected.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import pandas as pd

from geo import model
from geo.model import DataError, Reject

DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # per input file; --max-size / FRONTLINE_MAX_IMPORT_MB change it


@dataclass
class Options:
    """Per-run options shared by importers."""

    layer: str | None = None  # generic: which layer the file feeds
    mapping: dict[str, str] = field(default_factory=dict)  # canonical column -> file column
    max_bytes: int = DEFAULT_MAX_BYTES
    source: str | None = None  # override the ``source`` value written to rows


@dataclass
class FileResult:
    """What one input file yielded."""

    file: str
    sha256: str
    importer: str
    read: int = 0  # rows or features in the input
    frames: dict[str, gpd.GeoDataFrame | pd.DataFrame] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return int(sum(len(f) for f in self.frames.values()))

    def check(self) -> None:
        """Raise when rows were lost (a bug in the importer, never the user's fault)."""
        if self.read != self.stored + len(self.rejects):
            raise RuntimeError(
                f"{self.importer}: {self.file}: read {self.read} rows but stored {self.stored} "
                f"and rejected {len(self.rejects)}"
            )


class Importer:
    """Base class: subclasses set the class data and implement ``read``."""

    name: ClassVar[str]
    description: ClassVar[str]
    attribution: ClassVar[str]
    licence: ClassVar[str] = "see the source's terms"
    patterns: ClassVar[tuple[str, ...]] = ("*",)  # files taken when a folder is given

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        """Fill ``result.frames`` / ``result.rejects`` / ``result.read`` from ``path``."""
        raise NotImplementedError

    def files(self, paths: list[Path]) -> list[Path]:
        """Input files: each file as given, and a folder's files matching ``patterns`` (sorted)."""
        out: list[Path] = []
        for p in paths:
            if p.is_dir():
                out.extend(sorted(f for pat in self.patterns for f in p.rglob(pat) if f.is_file()
                                  and not f.name.startswith(".")))
            elif p.is_file():
                out.append(p)
            else:
                raise DataError(f"{p}: no such file or folder")
        return list(dict.fromkeys(out))


def file_key(path: str | Path) -> str:
    """How the store names an input file: its folder and name (``kursk_geojson/2024-09-11.geojson``),
    so that same-named files of different folders do not replace each other's rows."""
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_file(importer: Importer, path: Path, options: Options) -> FileResult:
    """Read one file with ``importer``, validate its canonical frames, check nothing was lost."""
    size = path.stat().st_size
    if size > options.max_bytes:
        raise DataError(f"{path}: {size / 1e6:.1f} MB is over the import size limit of "
                        f"{options.max_bytes / 1e6:.0f} MB (raise it with --max-size MB)")
    result = FileResult(file=str(path), sha256=sha256(path), importer=importer.name)
    importer.read(path, result, options)
    for layer in model.LAYERS:
        frame = result.frames.get(layer)
        if frame is None:
            continue
        if options.source and layer != "towns":
            frame = frame.assign(source=options.source)
        clean, rejects = model.normalize(layer, frame, path.name, index_labels=True)
        result.frames[layer] = clean.assign(import_file=file_key(path), importer=importer.name)
        result.rejects.extend(rejects)
    for name, frame in result.frames.items():
        if name not in model.LAYERS:
            result.frames[name] = frame.assign(import_file=file_key(path), importer=importer.name)
    result.check()
    return result


# ---- safe reading helpers ------------------------------------------------------------
SIGNATURES = {
    b"PK\x03\x04": "zip",
    b"\x1f\x8b": "gzip",
    b"%PDF": "pdf",
    b"\x89PNG": "png",
    b"SQLite format 3": "sqlite/geopackage",
    b"PAR1": "parquet",
}


def sniff(path: Path) -> str:
    """What the file's first bytes say it is: a SIGNATURES value, 'json', 'xml' or 'text'."""
    head = path.open("rb").read(512)
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "json"
    if stripped[:1] == b"<":
        return "xml"
    return "text"


def expect(path: Path, *kinds: str) -> str:
    """The sniffed kind, or DataError when the content is not what the extension says."""
    kind = sniff(path)
    if kind not in kinds:
        raise DataError(f"{path}: content looks like {kind}, not {' or '.join(kinds)} as its extension says")
    return kind


def read_text(path: Path, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")) -> tuple[str, str]:
    """The file's text and the encoding that decoded it (UTF-8 first); DataError naming the byte."""
    data = path.read_bytes()
    first_error: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    line = data[: first_error.start].count(b"\n") + 1
    raise DataError(f"{path}: line {line}: bytes are neither {' nor '.join(encodings)} "
                    f"(byte 0x{data[first_error.start]:02x} at offset {first_error.start})")


def read_json(path: Path) -> object:
    """A UTF-8 JSON file's value; DataError naming the file (and line) when it is not JSON."""
    expect(path, "json")
    text, _ = read_text(path, ("utf-8-sig",))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python's 4,300-digit limit
        raise DataError(f"{path}: not valid JSON ({exc})") from None


def read_csv(path: Path, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252"), **kwargs) -> pd.DataFrame:
    """A CSV as strings, index = data row number (1 = first row after the header)."""
    expect(path, "text")
    text, _ = read_text(path, encodings)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: not a readable CSV ({exc})") from None
    df.index = pd.RangeIndex(1, len(df) + 1)
    return df


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path, what: str) -> None:
    """DataError naming ``path`` and the missing columns when ``frame`` lacks any of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: not a {what} file (missing column(s) {', '.join(missing)})")


def reject_rows(result: FileResult, frame: pd.DataFrame, mask: pd.Series, field: str, reason: str,
                values: pd.Series | None = None) -> pd.DataFrame:
    """Move the rows of ``mask`` into ``result.rejects``; returns the remaining rows."""
    mask = mask.fillna(False).astype(bool)
    name = Path(result.file).name
    for i in frame.index[mask]:
        value = "" if values is None else str(values.loc[i])[:200]
        result.rejects.append(Reject(name, int(i) if hasattr(i, "__index__") else str(i), field, reason, value))
    return frame[~mask]
