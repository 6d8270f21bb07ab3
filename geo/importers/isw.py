"""ISW/CTP control layers as GeoJSON (e.g. the simplified sdspieg export: ``territory_geojson/*.geojson``,
``kursk_geojson/*.geojson``).

Each feature carries ``date`` (YYYY-MM-DD), ``layer_type`` and ``area_km2``. The layer type gives
the status (:data:`LAYER_STATUS`); ``as_of`` is the date at 00:00 UTC. ISW's assessed-control
layer does not separate territory held before 24 Feb 2022: Crimea and the 2014-22 areas are part
of its ``occupied`` zone (there is no ``occupied_before`` from ISW).

Rejected: features with no geometry (lost in the export's simplification), an implausible date
(``2202-02-02``: every feature of such a file), a layer type with no control meaning, or lying
outside the theatre. Self-intersecting polygons are repaired by ``geo.model.normalize``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from geo import model
from geo.importers.base import FileResult, Importer, Options
from geo.importers.geojson_features import (
    OUT_OF_THEATRE,
    abroad,
    clean_text,
    geometries,
    load_features,
    properties,
    rows_frame,
    where,
    zone_parts,
)
from geo.model import Reject

URL = "https://www.understandingwar.org/"
ATTRIBUTION = "Institute for the Study of War and AEI's Critical Threats Project (reuse needs ISW's consent)"
LICENCE = ("© Institute for the Study of War / AEI Critical Threats Project; reuse and redistribution need ISW's "
           "written consent")
COLUMNS = ["source", "as_of", "status", "label", "note", "source_url", "area_km2"]

LAYER_STATUS: dict[str, str] = {
    "ukraine_control_map": "occupied",  # assessed Russian-controlled territory (incl. Crimea, 2014-22 areas)
    "russian_advances": "advance",  # assessed Russian advances
    "kursk_russian_advances": "advance",  # Russian advances in Kursk oblast (retaking the incursion area)
    "russian_infiltration": "advance",
    "russian_claimed": "claimed",
    "ukrainian_counteroffensives": "liberated",  # defender_held_abroad where it lies outside Ukraine
}


def date_problem(text: str) -> str | None:
    """Why a ``date`` value cannot be used, or None."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return "missing or unparseable date (expected YYYY-MM-DD)"
    if not model.EARLIEST.date() <= day < model.LATEST.date():
        typo = " (typo of 2022?)" if sorted(str(day.year)) == sorted("2022") and day.year != 2022 else ""
        return f"date {text} is implausible{typo}"
    return None


class ISWImporter(Importer):
    """ISW/CTP assessed control, advances and claims (GeoJSON with date/layer_type/area_km2)."""

    name = "isw"
    description = "ISW/CTP control maps: assessed Russian control, advances, claims (GeoJSON exports)"
    attribution = ATTRIBUTION
    licence = LICENCE
    patterns = ("*.geojson",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        collection = load_features(path)
        result.read = len(collection.features)
        rows: dict[int, dict] = {}
        for i, (feature, geom) in enumerate(zip(collection.features, geometries(path, collection.features),
                                                strict=True)):
            props = properties(feature)
            row, reject = _row(path, props, geom)
            if reject:
                result.rejects.append(Reject(path.name, i, *reject))
            else:
                rows[i] = row
        result.frames["control"] = rows_frame(rows, COLUMNS)


def _row(path: Path, props: dict, geom) -> tuple[dict | None, tuple | None]:
    """(control row, None) or (None, reject fields) for one feature."""
    date = clean_text(props.get("date")) or path.stem
    layer = clean_text(props.get("layer_type"))
    area = props.get("area_km2")
    problem = date_problem(date)
    if problem:
        return None, ("date", problem, date)
    if geom is None:
        return None, ("geometry", "no geometry (lost in the export's simplification)", f"area_km2 {area}")
    if layer not in LAYER_STATUS:
        return None, ("layer_type", "layer type has no control status (known: " + ", ".join(LAYER_STATUS) + ")",
                      layer)
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None, ("geometry", f"a {geom.geom_type} is not a zone", layer)
    kept, dropped = zone_parts(geom)
    if kept is None:
        return None, ("geometry", OUT_OF_THEATRE, f"{layer} at {where(geom)}")
    status = LAYER_STATUS[layer]
    if status == "liberated" and abroad(kept):
        status = "defender_held_abroad"
    notes = ["Kursk oblast (Russia)" if layer.startswith("kursk_") else "", dropped]
    try:
        area_value = float(area)
    except (TypeError, ValueError, OverflowError):
        area_value = float("nan")
    return {"source": "isw", "as_of": pd.Timestamp(date, tz="UTC"), "status": status, "label": layer,
            "note": "; ".join(n for n in notes if n), "source_url": URL, "area_km2": area_value,
            "geometry": kept}, None
