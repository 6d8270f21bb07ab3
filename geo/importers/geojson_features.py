"""What the control-zone importers (deepstate, deepstate-mirror, isw) share.

* :func:`load_features` reads a GeoJSON FeatureCollection safely (size checked by ``run_file``,
  content sniffed, JSON errors named) and returns its features plus the top-level members.
* :func:`geometries` turns the features' geometries into 2-D shapely objects (``None`` where a
  feature has no geometry), keeping GeometryCollections whole.
* The **theatre** is Ukraine's recognised outline (``data/boundaries/ukraine.geojson``) buffered
  by :data:`THEATRE_BUFFER_KM`: wide enough for Snake Island, Tuzla, the Kursk incursion and
  the airfields just across the border, narrow enough to drop DeepState's political-commentary
  polygons (Karelia, Abkhazia...) and points (Moscow, Minsk...). Without the outline file the
  theatre falls back to ``geo.admin.THEATRE.BBOX``.
* :func:`clean_text` removes NBSP, newlines and repeated spaces from a source's names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.admin import THEATRE
from geo.atlas import DEFAULT_DATA
from geo.importers.base import read_json
from geo.model import CRS, DataError

OUTLINE = DEFAULT_DATA / "boundaries" / "ukraine.geojson"
THEATRE_BUFFER_KM = 100.0
OUT_OF_THEATRE = "out of theatre"


@dataclass
class Collection:
    """A parsed FeatureCollection: its features and its other top-level members."""

    features: list[dict]
    members: dict


def load_features(path: Path) -> Collection:
    """The features of a GeoJSON FeatureCollection; DataError naming the file when it is not one.

    A DeepStateMap ``/api/history/last`` answer (``{id, datetime, map: FeatureCollection}``) is
    accepted too: its ``id`` and ``datetime`` end up in ``members``.
    """
    data = read_json(path)
    if isinstance(data, dict) and isinstance(data.get("map"), dict):
        data = {**data["map"], **{k: v for k, v in data.items() if k != "map"}}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise DataError(f"{path}: field 'type': expected a GeoJSON FeatureCollection, found {kind!r}")
    features = data.get("features")
    if not isinstance(features, list):
        raise DataError(f"{path}: field 'features': expected a list of features")
    for n, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise DataError(f"{path}: feature {n}: field 'type': not a GeoJSON Feature")
    return Collection(features, {k: v for k, v in data.items() if k != "features"})


def properties(feature: dict) -> dict:
    """A feature's properties (an empty dict when null or not an object)."""
    props = feature.get("properties")
    return props if isinstance(props, dict) else {}


def geometries(path: Path, features: list[dict]) -> list[shapely.Geometry | None]:
    """Each feature's geometry as a 2-D shapely object, or None when it has none.

    Unreadable geometry objects (wrong nesting, too few points) raise DataError naming the feature.
    """
    out: list[shapely.Geometry | None] = []
    for n, feature in enumerate(features):
        geom = feature.get("geometry")
        if geom is None:
            out.append(None)
            continue
        try:
            g = shapely.from_geojson(json.dumps(geom))
        except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
            raise DataError(f"{path}: feature {n}: field 'geometry': unreadable ({exc})") from None
        out.append(None if g is None or g.is_empty else shapely.force_2d(g))
    return out


@lru_cache(maxsize=1)
def theatre_area() -> shapely.Geometry:
    """The theatre polygon (prepared): the outline buffered by THEATRE_BUFFER_KM, or the bbox."""
    if OUTLINE.exists():
        outline = gpd.read_file(OUTLINE).to_crs("EPSG:3035").geometry.union_all()
        area = gpd.GeoSeries([outline.simplify(1000).buffer(THEATRE_BUFFER_KM * 1000)], crs="EPSG:3035")
        geom = area.to_crs(CRS).iloc[0]
    else:
        geom = shapely.box(*THEATRE.BBOX)
    shapely.prepare(geom)
    return geom


def in_theatre(geom: shapely.Geometry) -> bool:
    """Whether ``geom`` touches the theatre at all."""
    return bool(theatre_area().intersects(geom))


def split_theatre(geom: shapely.Geometry) -> tuple[shapely.Geometry | None, list[shapely.Geometry]]:
    """(the parts of a multi-part geometry inside the theatre, the parts dropped).

    A single geometry is kept or dropped whole; a multi-part one is returned unchanged when all
    its parts are inside, else its kept parts as one part or a GeometryCollection (``None`` when
    nothing is left; ``geo.model.normalize`` turns collections into (Multi)Polygons).
    """
    parts = list(shapely.get_parts(geom)) if shapely.get_num_geometries(geom) > 1 else [geom]
    inside = shapely.intersects(theatre_area(), parts)
    kept = [p for p, ok in zip(parts, inside, strict=True) if ok]
    dropped = [p for p, ok in zip(parts, inside, strict=True) if not ok]
    if not kept:
        return None, dropped
    if not dropped:
        return geom, []
    return (kept[0] if len(kept) == 1 else shapely.GeometryCollection(kept)), dropped


def zone_parts(geom: shapely.Geometry) -> tuple[shapely.Geometry | None, str]:
    """(the zone's parts inside the theatre or None, a note naming the parts dropped or '')."""
    kept, dropped = split_theatre(geom)
    if kept is None or not dropped:
        return kept, ""
    return kept, f"dropped {len(dropped)} part(s) outside the theatre near {where(dropped[0])}"


@lru_cache(maxsize=1)
def country_outline() -> shapely.Geometry | None:
    """Ukraine's recognised outline (prepared), or None without the outline file."""
    if not OUTLINE.exists():
        return None
    geom = gpd.read_file(OUTLINE).to_crs(CRS).geometry.union_all()
    shapely.prepare(geom)
    return geom


def abroad(geom: shapely.Geometry) -> bool:
    """Whether most of ``geom`` lies outside the country's outline (False without the outline)."""
    outline = country_outline()
    if outline is None or geom.area == 0:
        return False
    return geom.intersection(outline).area < 0.5 * geom.area


def where(geom: shapely.Geometry) -> str:
    """'64.37E 14.49N': a short place for messages (a representative point; '?' when empty)."""
    if geom is None or geom.is_empty:
        return "?"
    p = geom.representative_point() if geom.geom_type != "Point" else geom
    if p.is_empty:  # degenerate (zero-area) geometry
        return "?"
    return f"{p.x:.2f}{'E' if p.x >= 0 else 'W'} {abs(p.y):.2f}{'N' if p.y >= 0 else 'S'}"


def rows_frame(rows: dict[int, dict], columns: list[str]) -> gpd.GeoDataFrame:
    """Rows keyed by feature number as a GeoDataFrame indexed by it, with a ``feature`` column.

    ``columns`` are the attribute columns (``feature`` is added last); an empty frame is typed too.
    """
    names = [*columns, "geometry"]
    frame = (pd.DataFrame.from_dict(rows, orient="index", columns=names) if rows
             else pd.DataFrame({c: [] for c in names}))
    frame["feature"] = frame.index.astype("int64")
    for col in ("direction", "area_km2"):
        if col in frame.columns:
            frame[col] = frame[col].astype("float64")
    if "as_of" in frame.columns:
        frame["as_of"] = pd.to_datetime(frame["as_of"], utc=True).dt.as_unit("us")
    return gpd.GeoDataFrame(frame[[*columns, "feature", "geometry"]], geometry="geometry", crs=CRS)


_SPACES = re.compile(r"\s+")


def clean_text(value: object) -> str:
    """A name without NBSP, newlines or repeated spaces ('' for None)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value).replace("\u00a0", " ")).strip()
