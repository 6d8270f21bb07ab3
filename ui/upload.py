"""The sidebar upload box: add a GeoJSON/GPKG/zipped Shapefile/CSV/KML file to this session's map.

Uploaded bytes are written to a ``tempfile.TemporaryDirectory`` under a fixed name
(``upload`` + the original extension; the user's file name is never a path), imported with
the ``generic`` importer, and overlaid on the shared Atlas for this session only
(``geo.session.with_upload``): the shared data and other sessions never see them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

import streamlit as st

from geo import model
from geo.atlas import Atlas
from geo.commands.import_ import parse_mapping
from geo.importers import run_file
from geo.importers.base import DEFAULT_MAX_BYTES, FileResult, Options
from geo.importers.generic import READERS, GenericImporter
from geo.session import with_upload
from ui.text import md

LAYER_CHOICES = ("auto", "control", "towns", "strikes")
TYPES = [ext.lstrip(".") for ext in READERS if ext != ".shp"]  # a lone .shp lacks its .dbf/.shx: zip them


@dataclasses.dataclass(frozen=True)
class Upload:
    """One uploaded file's outcome: a result, or the error sentence."""

    name: str
    result: FileResult | None = None
    error: str | None = None


def display_name(name: str) -> str:
    """The user's file name reduced to a harmless label (letters, digits, space, ``._-()``)."""
    base = re.split(r"[\\/]", name)[-1]
    return re.sub(r"[^\w .()\-]", "_", base).strip()[:80] or "upload"


def _relabel(result: FileResult, name: str) -> FileResult:
    """``result`` with the temp file's name replaced by the user's (rejects and provenance column)."""
    frames = {k: v.assign(import_file=name) if "import_file" in v.columns else v for k, v in result.frames.items()}
    rejects = [dataclasses.replace(r, file=name) for r in result.rejects]
    return dataclasses.replace(result, file=name, frames=frames, rejects=rejects)


def import_upload(name: str, data: bytes, layer: str | None = None, mapping: str = "",
                  max_bytes: int | None = None) -> Upload:
    """Import uploaded bytes with the generic importer; never raises for bad input."""
    shown = display_name(name)
    ext = Path(shown).suffix.lower()
    if ext not in READERS or ext == ".shp":
        return Upload(shown, error=f"{shown}: unsupported file type; upload one of {', '.join(TYPES)} "
                                   "(a Shapefile as a .zip of its .shp/.shx/.dbf/.prj)")
    limit = max_bytes or int(float(os.environ.get("FRONTLINE_MAX_IMPORT_MB", DEFAULT_MAX_BYTES / 1e6)) * 1e6)
    with tempfile.TemporaryDirectory(prefix="frontline-upload-") as tmp:
        path = Path(tmp) / f"upload{ext}"
        try:
            if len(data) > limit:
                raise model.DataError(f"{path}: {len(data) / 1e6:.1f} MB is over the upload limit of "
                                      f"{limit / 1e6:.0f} MB")
            path.write_bytes(data)
            options = Options(layer=layer, mapping=parse_mapping(mapping), max_bytes=limit)
            result = run_file(GenericImporter(label=Path(shown).stem), path, options)
        except model.DataError as exc:
            message = str(exc).replace(str(path), shown).replace(path.name, shown)
            return Upload(shown, error=message)
    return Upload(shown, result=_relabel(result, shown))


def overlay(atlas: Atlas, uploads: list[Upload]) -> Atlas:
    """``atlas`` with every successful upload stacked on it (a new Atlas; ``atlas`` is unchanged)."""
    out = atlas
    for upload in uploads:
        if upload.result is not None:
            out = with_upload(out, upload.result)
    return out


def _show(where, upload: Upload) -> None:
    if upload.error:
        where.error(md(upload.error))  # errors quote the file's column names and values
        return
    result = upload.result
    stored = ", ".join(f"{len(v)} {k}" for k, v in result.frames.items() if len(v)) or "nothing"
    where.caption(f"**{md(upload.name)}**: {result.read} rows read, stored {stored}, rejected {len(result.rejects)}")
    if result.rejects:
        where.dataframe(model.rejects_frame(result.rejects), hide_index=True, height=180)


def _keep_view_valid(atlas: Atlas) -> None:
    """Clamp the session's date and source to the (possibly smaller) data after an upload is removed."""
    state = st.session_state
    if "date" in state and not atlas.is_empty():
        first, last = atlas.dates
        state.date = min(max(state.date, first), last)
    if state.get("source") and state.source not in atlas.sources:
        state.source = atlas.sources[0] if atlas.sources else None


def upload_panel(atlas: Atlas) -> Atlas:
    """The sidebar upload box; returns this session's Atlas (``atlas`` plus its uploads, cached per session)."""
    box = st.sidebar.expander("Add your data (this session only)", expanded=False)
    files = box.file_uploader("GeoJSON, GeoPackage, zipped Shapefile, CSV (lon/lat or WKT), KML/KMZ", type=TYPES,
                              accept_multiple_files=True, key="upload_files")
    layer = box.selectbox("Layer", LAYER_CHOICES, key="upload_layer",
                          help="auto: polygons -> control; points with a date/time column -> strikes; "
                               "points with population or name -> towns")
    mapping = box.text_input("Column mapping (optional)", key="upload_map", placeholder="time=date,kind=type",
                             help="canonical=file column, comma-separated")
    cache: dict = st.session_state.setdefault("upload_results", {})
    keys, uploads = [], []
    for f in files or []:
        key = (f.file_id, layer, mapping.strip())
        if key not in cache:
            with box.spinner(f"Importing {display_name(f.name)}…"):
                cache[key] = import_upload(f.name, f.getvalue(), None if layer == "auto" else layer, mapping)
        keys.append(key)
        uploads.append(cache[key])
        _show(box, cache[key])
    for stale in set(cache) - set(keys):
        del cache[stale]
    signature = (id(atlas), tuple(keys))
    cached = st.session_state.get("upload_overlay")
    if cached is None or cached[0] != signature:
        cached = (signature, overlay(atlas, uploads))
        st.session_state.upload_overlay = cached
    _keep_view_valid(cached[1])
    return cached[1]
