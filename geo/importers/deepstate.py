"""DeepStateMap history snapshots (``<epoch>.geojson``): control zones and point markers.

One file is one published map version; its name is the publication time in Unix seconds
(UTC), which becomes ``as_of``. Every feature ends in exactly one place:

* a zone (Polygon / GeometryCollection) -> ``control``, status from ``deepstate_style``;
* a point (units, HQs, airfields, attack arrows) -> the ``markers`` table;
* otherwise a reject: territory of other countries (``#ff5252`` commentary polygons,
  Transnistria), anything outside the theatre, no geometry, an unknown colour.

Parts of a multi-part zone that lie outside the theatre (a stray triangle in the Arabian Sea in
2023) are dropped from that zone, which is kept, and named in its ``note``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.importers import deepstate_style as style
from geo.importers.base import FileResult, Importer, Options
from geo.importers.geojson_features import (
    OUT_OF_THEATRE,
    clean_text,
    geometries,
    in_theatre,
    load_features,
    properties,
    rows_frame,
    where,
    zone_parts,
)
from geo.model import DataError, Reject

URL = "https://deepstatemap.live"
ATTRIBUTION = "Data: DeepStateMap (deepstatemap.live), free for non-commercial use with attribution"
LICENCE = ("DeepStateMap terms: free for volunteer and non-commercial use with attribution; commercial use "
           "needs DeepStateMap's approval; proxying their API is not allowed")
CONTROL_COLUMNS = ["source", "as_of", "status", "label", "note", "source_url"]
MARKER_COLUMNS = ["name", "kind", "direction", "icon", "description", "as_of", "source", "source_url"]
_EPOCH = re.compile(r"(?<!\d)(\d{10})(?!\d)")


def snapshot_time(path: Path, members: dict) -> pd.Timestamp:
    """The version's publication time: the API's ``id`` member, else the epoch in the file name."""
    value = members.get("id")
    if value is None:
        m = _EPOCH.search(path.stem)
        if not m:
            raise DataError(f"{path}: file name: expected the version's Unix time, e.g. 1668296906.geojson")
        value = m.group(1)
    try:
        return pd.Timestamp(int(value), unit="s", tz="UTC")
    except (TypeError, ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        raise DataError(f"{path}: field 'id': {value!r} is not a Unix time") from None


class DeepStateImporter(Importer):
    """DeepStateMap raw history (KML-style GeoJSON, 3-D coordinates)."""

    name = "deepstate"
    description = "DeepStateMap history snapshots: control zones by status, plus unit/airfield/arrow markers"
    attribution = ATTRIBUTION
    licence = LICENCE
    patterns = ("*.geojson",)  # a file given by name may be anything, e.g. a saved /api/history/last answer

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        collection = load_features(path)
        as_of = snapshot_time(path, collection.members)
        result.read = len(collection.features)
        zones: dict[int, dict] = {}
        markers: dict[int, dict] = {}
        for i, (feature, geom) in enumerate(zip(collection.features, geometries(path, collection.features),
                                                strict=True)):
            props = properties(feature)
            name = clean_text(props.get("name"))
            reject = None
            if geom is None:
                reject = ("geometry", "empty or missing geometry", name)
            elif geom.geom_type in ("Point", "MultiPoint"):
                if in_theatre(geom):
                    markers[i] = {**_marker(props, name, as_of), "geometry": geom}
                else:
                    reject = ("geometry", OUT_OF_THEATRE, f"{name} at {where(geom)}")
            elif geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection"):
                row, reject = _zone(props, name, geom, as_of)
                if row is not None:
                    zones[i] = row
            else:
                reject = ("geometry", f"a {geom.geom_type} is neither a zone nor a marker", name)
            if reject:
                result.rejects.append(Reject(path.name, i, *reject))
        result.frames["control"] = rows_frame(zones, CONTROL_COLUMNS)
        result.frames["markers"] = rows_frame(markers, MARKER_COLUMNS)


def _zone(props: dict, name: str, geom, as_of: pd.Timestamp) -> tuple[dict | None, tuple | None]:
    """(control row, None) or (None, reject fields) for one polygonal feature."""
    fill = props.get("fill")
    status, remark = style.zone_status(fill, name)
    if status == style.FOREIGN:
        return None, ("name", OUT_OF_THEATRE, f"{name} (fill {fill}): not Ukraine")
    if status is None:
        return None, ("fill", "unknown zone status (neither the colour nor the name says)", f"{fill} {name}")
    kept, dropped_note = zone_parts(geom)
    if kept is None:
        return None, ("geometry", OUT_OF_THEATRE, f"{name} at {where(geom)}")
    notes = [remark] if remark else []
    if status == "liberated":
        day = style.liberation_date(name, as_of.date())
        if day:
            notes.append(f"liberated_on {day}")
    if dropped_note:
        notes.append(dropped_note)
    row = {"source": "deepstate", "as_of": as_of, "status": status, "label": name, "note": "; ".join(notes),
           "source_url": URL, "geometry": kept}
    return row, None


def _marker(props: dict, name: str, as_of: pd.Timestamp) -> dict:
    description = str(props.get("description") or "")
    icon = style.icon_of(description)
    return {"name": name, "kind": style.marker_kind(icon, name), "direction": style.arrow_bearing(icon),
            "icon": icon, "description": style.strip_icon(description), "as_of": as_of, "source": "deepstate",
            "source_url": URL}

