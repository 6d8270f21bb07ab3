"""Safe handling of untrusted input files: archives, XML, and row/vertex bounds.

Everything a user uploads passes through here before a parser sees it:

* **Archives** (KMZ, zipped Shapefiles): every entry is checked before a byte is extracted —
  no ``..`` or absolute paths, no symlinks or special files, at most ``max_entries`` entries,
  a total uncompressed size limit and a compression-ratio limit (zip bombs). Extraction goes
  only into a caller's ``tempfile.TemporaryDirectory`` and counts the bytes actually written,
  so a header that lies about sizes is caught too. No file name is ever passed to a shell.
* **XML** (KML): parsed with ``defusedxml``, refusing any DOCTYPE, so external entities (XXE)
  and entity expansion ("billion laughs") never run.
* **Counts**: rows and vertices are bounded where it is cheap to count them.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import shapely
from defusedxml.ElementTree import iterparse

from geo.model import DataError

MAX_ROWS = int(os.environ.get("FRONTLINE_MAX_IMPORT_ROWS", 2_000_000))
MAX_VERTICES = int(os.environ.get("FRONTLINE_MAX_IMPORT_VERTICES", 50_000_000))
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits on one archive; ``max_ratio`` applies to entries larger than ``ratio_floor`` bytes."""

    max_total: int = int(float(os.environ.get("FRONTLINE_MAX_UNZIP_MB", 1000)) * 1e6)
    max_ratio: float = float(os.environ.get("FRONTLINE_MAX_ZIP_RATIO", 200))
    max_entries: int = 10_000
    ratio_floor: int = 1 << 20


def _unsafe_name(name: str) -> str | None:
    """Why an archive entry name is unsafe, or None."""
    if not name or "\x00" in name:
        return "empty name or NUL byte in name"
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return "absolute path"
    if ".." in PurePosixPath(text).parts:
        return "'..' in path"
    return None


def check_archive(path: Path, limits: ArchiveLimits = ArchiveLimits()) -> list[zipfile.ZipInfo]:
    """The archive's file entries after checking all of them; DataError naming the first bad entry."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise DataError(f"{path}: archive holds {len(infos)} entries, over the limit of {limits.max_entries}")
    total = 0
    files = []
    for info in infos:
        why = _unsafe_name(info.filename)
        if why:
            raise DataError(f"{path}: entry {info.filename!r} refused: {why}")
        kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver stored no Unix file type
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise DataError(f"{path}: entry {info.filename!r} refused: symlink or special file")
        if info.flag_bits & 0x1:
            raise DataError(f"{path}: entry {info.filename!r} refused: encrypted")
        total += info.file_size
        if total > limits.max_total:
            raise DataError(f"{path}: archive expands to over {limits.max_total / 1e6:.0f} MB "
                            "(zip bomb?); refused")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise DataError(f"{path}: entry {info.filename!r} refused: compression ratio {ratio:.0f}:1 is over "
                            f"{limits.max_ratio:.0f}:1 (zip bomb?)")
        if not info.is_dir():
            files.append(info)
    return files


def safe_extract(path: Path, dest: Path, limits: ArchiveLimits = ArchiveLimits(),
                 suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Extract the archive's files (only those ending in ``suffixes`` when given) into ``dest``.

    ``dest`` must be an empty temporary folder the caller owns. Returns the written paths.
    """
    dest = dest.resolve()
    written: list[Path] = []
    total = 0
    with zipfile.ZipFile(path) as zf:
        for info in check_archive(path, limits):
            if suffixes and not info.filename.lower().endswith(suffixes):
                continue
            target = (dest / info.filename.replace("\\", "/")).resolve()
            if not target.is_relative_to(dest):
                raise DataError(f"{path}: entry {info.filename!r} refused: leaves the extraction folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as out:
                for chunk in iter(lambda s=src: s.read(_CHUNK), b""):
                    total += len(chunk)
                    if total > limits.max_total:
                        raise DataError(f"{path}: archive expands to over {limits.max_total / 1e6:.0f} MB "
                                        "(zip bomb?); refused")
                    out.write(chunk)
            written.append(target)
    return written


def read_member(path: Path, info: zipfile.ZipInfo, limits: ArchiveLimits = ArchiveLimits()) -> bytes:
    """One checked entry's bytes, reading at most ``limits.max_total`` bytes."""
    with zipfile.ZipFile(path) as zf, zf.open(info) as src:
        data = src.read(limits.max_total + 1)
    if len(data) > limits.max_total:
        raise DataError(f"{path}: entry {info.filename!r} expands to over {limits.max_total / 1e6:.0f} MB; refused")
    return data


# ---- XML -------------------------------------------------------------------------------
def iter_xml(source, file: str, tag: str) -> Iterator[tuple[Element, list[Element]]]:
    """Yield (element, open ancestors) for each element whose local name is ``tag``, then free it.

    ``source`` is a path or a binary file object. Any DOCTYPE (and so any entity) is refused.
    """
    stack: list[Element] = []
    try:
        for event, elem in iterparse(source, events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                                     forbid_external=True):
            if event == "start":
                stack.append(elem)
                continue
            stack.pop()
            if elem.tag.rsplit("}", 1)[-1] == tag:
                yield elem, stack
                elem.clear()
    except defusedxml.DefusedXmlException:
        raise DataError(f"{file}: the XML declares a DOCTYPE or entities, which are refused for safety "
                        "(external entities / entity expansion); KML never needs them") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise DataError(f"{file}: line {line}: not well-formed XML ({str(exc).split(':')[0]})") from None


# ---- counts ----------------------------------------------------------------------------
def check_rows(file: str, rows: int, limit: int = MAX_ROWS) -> None:
    """DataError when ``rows`` is over the per-file row limit."""
    if rows > limit:
        raise DataError(f"{file}: over {limit:,} rows/features, the per-file import limit; split the file")


def check_vertices(file: str, geometries, limit: int = MAX_VERTICES) -> None:
    """DataError when the geometries hold more than ``limit`` vertices in total."""
    n = int(shapely.get_num_coordinates(geometries).sum()) if len(geometries) else 0
    if n > limit:
        raise DataError(f"{file}: {n:,} vertices, over the per-file import limit of {limit:,}")
