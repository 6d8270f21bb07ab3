"""GeoJSON snapshot export (RFC 7946) of one date, with a ``metadata`` member.

What is exported is what the map shows: the same ``geo.timeline`` functions select the
rows. Geometry is full resolution; times are ISO 8601 strings in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from importlib.metadata import PackageNotFoundError, version

import geopandas as gpd
import pandas as pd

from geo import model, timeline
from geo.atlas import Atlas

GENERATOR = "frontline"
EXPORT_LAYERS = model.LAYERS


def generator_version() -> str:
    """The generator string written into every export."""
    try:
        return f"{GENERATOR} {version('frontline')}"
    except PackageNotFoundError:
        return f"{GENERATOR} 0.1"


def parse_layers(value: str | list[str] | None) -> list[str]:
    """Layer names from 'control,towns' (all when empty); DataError naming an unknown one."""
    names = value.split(",") if isinstance(value, str) else list(value or EXPORT_LAYERS)
    names = [n.strip() for n in names if n.strip()] or list(EXPORT_LAYERS)
    unknown = [n for n in names if n not in EXPORT_LAYERS]
    if unknown:
        raise model.DataError(f"unknown layer '{unknown[0]}'; choose from {', '.join(EXPORT_LAYERS)}")
    return names


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def features(frame: gpd.GeoDataFrame, layer: str) -> list[dict]:
    """RFC 7946 features of ``frame``, each with a ``layer`` property."""
    if frame.empty:
        return []
    geoms = json.loads(gpd.GeoSeries(frame.geometry.values, crs=model.CRS).to_json(drop_id=True))["features"]
    props = frame.drop(columns=frame.geometry.name).to_dict("records")
    return [
        {"type": "Feature", "geometry": g["geometry"],
         "properties": {"layer": layer, **{k: _json_value(v) for k, v in p.items()}}}
        for g, p in zip(geoms, props, strict=True)
    ]


def snapshot(
    atlas: Atlas,
    date: object,
    layers: str | list[str] | None = None,
    source: str | None = None,
    window_days: int = 1,
) -> dict:
    """The FeatureCollection of ``date``: control zones in force, towns with status, strikes of the window."""
    names = parse_layers(layers)
    first, last = atlas.dates
    day = timeline.check_date(date, first, last)
    source = source or (atlas.sources[0] if atlas.sources else None)
    if source is not None and atlas.sources and source not in atlas.sources:
        raise model.DataError(f"unknown source '{source}'; loaded sources: {', '.join(atlas.sources)}")
    zones = atlas.zones_at(day, source)
    frames = {
        "control": zones,
        "towns": atlas.towns.assign(status=timeline.town_status(atlas.towns, zones, atlas.land).to_numpy()),
        "strikes": timeline.strikes_in(atlas.strikes, day, window_days),
    }
    feats = [f for name in names for f in features(frames[name], name)]
    as_of = atlas.snapshot_at(day, source)
    meta = {
        "date": day.isoformat(),
        "control_source": source,
        "control_snapshot": _json_value(as_of),
        "strike_window_days": window_days,
        "layers": names,
        "counts": {name: int(len(frames[name])) for name in names},
        "sources": sorted({str(s) for name in names for s in frames[name].get("source", [])}),
        "attribution": atlas.attribution(),
        "generator": generator_version(),
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "crs": "urn:ogc:def:crs:OGC:1.3:CRS84",
    }
    return {"type": "FeatureCollection", "metadata": meta, "features": feats}


def dumps(collection: dict) -> str:
    """Serialise an export compactly (UTF-8 text, no NaN)."""
    return json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
