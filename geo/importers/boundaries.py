"""geoBoundaries ADM1 (oblasts) and ADM2 (raions) GeoJSON -> the extra table ``boundaries``.

One row per unit: ``level`` ('admin1' | 'admin2'), ``name`` (the source's), ``admin1`` (canonical,
through ``geo.admin``), ``iso``, ``shape_id``, geometry. An ADM2 unit gets the oblast that holds
its representative point, from the ADM1 file in the same folder; without one, ``admin1`` stays
empty (import ADM1 next to it to fill it). Crimea and Sevastopol are Ukrainian units, as in the source.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import admin, model
from geo.importers.base import FileResult, Importer, Options, expect, reject_rows
from geo.model import DataError

SOURCE = "geoboundaries"
LEVELS = {"ADM1": "admin1", "ADM2": "admin2"}


def read_features(path: Path) -> gpd.GeoDataFrame:
    """A GeoJSON file as a frame indexed by feature number (from 0), in EPSG:4326."""
    expect(path, "json")
    try:
        frame = gpd.read_file(path, ARRAY_AS_STRING="YES")  # typed lists crash pyogrio
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataError(f"{path}: not a readable GeoJSON file ({exc})") from None
    frame = frame.set_crs(model.CRS) if frame.crs is None else frame.to_crs(model.CRS)
    return frame.set_index(pd.RangeIndex(len(frame)))


def clean_polygons(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """2-D, valid, polygonal geometries; None where nothing polygonal is left."""
    values = shapely.force_2d(geoms.values)
    fixed = shapely.make_valid(values, method="structure", keep_collapsed=False)
    polygonal = np.isin(shapely.get_type_id(fixed), [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    fixed[~polygonal | shapely.is_empty(fixed)] = None
    return gpd.GeoSeries(fixed, index=geoms.index, crs=model.CRS)


def level_of(frame: gpd.GeoDataFrame, path: Path) -> pd.Series:
    """'admin1' / 'admin2' per feature from ``shapeType``, else from the file name (ADM1/ADM2)."""
    if "shapeType" in frame.columns:
        return frame["shapeType"].astype("string").str.strip().str.upper().map(LEVELS)
    from_name = next((v for k, v in LEVELS.items() if k in path.name.upper()), None)
    return pd.Series(from_name, index=frame.index, dtype="string")


def unit_of(iso: pd.Series, name: pd.Series) -> pd.Series:
    """Canonical admin-1 per row, trusting the ISO code first (geoBoundaries names Kyiv city 'Kyiv')."""
    return pd.Series([admin.canonical_admin1(i) or admin.canonical_admin1(n)
                      for i, n in zip(iso.fillna(""), name.fillna(""), strict=True)], index=iso.index, dtype="string")


@lru_cache(maxsize=4)
def _admin1_polygons(path: Path, mtime: float) -> gpd.GeoDataFrame:
    frame = read_features(path)
    iso = frame.get("shapeISO", pd.Series("", index=frame.index)).astype("string")
    units = unit_of(iso, frame.get("shapeName", pd.Series("", index=frame.index)).astype("string"))
    out = gpd.GeoDataFrame({"admin1": units}, geometry=clean_polygons(frame.geometry), crs=model.CRS)
    return out[out["admin1"].notna() & out.geometry.notna()]


def sibling_admin1(path: Path) -> gpd.GeoDataFrame | None:
    """The oblast polygons of an ADM1 file in ``path``'s folder, or None."""
    for f in sorted(path.parent.glob("*.geojson")):
        if f != path and "ADM1" in f.name.upper():
            return _admin1_polygons(f, f.stat().st_mtime)
    return None


def containing_admin1(geoms: gpd.GeoSeries, oblasts: gpd.GeoDataFrame) -> pd.Series:
    """The oblast holding each geometry's representative point (nearest oblast for points on a gap)."""
    points = gpd.GeoDataFrame(geometry=geoms.representative_point(), crs=model.CRS)
    hit = gpd.sjoin(points, oblasts, how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")]["admin1"]
    lost = hit.isna()
    if lost.any():
        near = gpd.sjoin_nearest(points[lost].to_crs(3035), oblasts.to_crs(3035), how="left")
        hit[lost] = near[~near.index.duplicated(keep="first")]["admin1"]
    return hit.astype("string")


class BoundariesImporter(Importer):
    """Oblast and raion polygons from geoBoundaries (gbOpen) GeoJSON."""

    name = "boundaries"
    description = "geoBoundaries admin-1 (oblasts) and admin-2 (raions) polygons"
    attribution = "Boundaries: geoBoundaries (Runfola et al. 2020), CC BY 4.0"
    licence = "CC BY 4.0"
    patterns = ("*.geojson", "*.json")

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        frame = read_features(path)
        result.read = len(frame)
        text = {c: frame[c].astype("string").str.strip() if c in frame.columns
                else pd.Series(pd.NA, index=frame.index, dtype="string")
                for c in ("shapeName", "shapeISO", "shapeID")}
        level = level_of(frame, path)
        geometry = clean_polygons(frame.geometry)
        df = reject_rows(result, frame, level.isna(), "shapeType", "not an ADM1 or ADM2 unit",
                         frame.get("shapeType"))
        df = reject_rows(result, df, geometry[df.index].isna(), "geometry", "empty, missing or not a polygon")
        units = unit_of(text["shapeISO"][df.index], text["shapeName"][df.index])
        is_adm1 = level[df.index] == "admin1"
        df = reject_rows(result, df, is_adm1 & units.isna(), "shapeName", "unknown admin-1 unit",
                         text["shapeName"])
        units, is_adm1 = units[df.index], is_adm1[df.index]
        if (~is_adm1).any():
            oblasts = sibling_admin1(path)
            if oblasts is not None:
                units[~is_adm1] = containing_admin1(geometry[df.index][~is_adm1], oblasts)
            else:
                units[~is_adm1] = pd.NA
        table = pd.DataFrame({
            "level": level[df.index], "name": text["shapeName"][df.index], "admin1": units,
            "iso": text["shapeISO"][df.index].replace("", pd.NA), "shape_id": text["shapeID"][df.index],
            "source": options.source or SOURCE,
        }, index=df.index)
        result.frames["boundaries"] = gpd.GeoDataFrame(table, geometry=geometry[df.index], crs=model.CRS)
