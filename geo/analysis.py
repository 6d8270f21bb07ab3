"""Questions of space: areas on the ellipsoid, lengths, and shares of the country."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer

from geo import model
from geo.admin import THEATRE

GEOD = Geod(ellps="WGS84")
UKRAINE_KM2 = THEATRE.AREA_KM2  # the theatre's country area (Ukraine: 603,628 km²)


def area_km2(geometry: shapely.Geometry | None) -> float:
    """Area of a (multi)polygon in km² on the WGS84 ellipsoid (0 for empty or missing geometry)."""
    return float(areas_km2([geometry])[0])


def status_union(zones: gpd.GeoDataFrame, statuses: tuple[str, ...]) -> shapely.Geometry:
    """The union of the zones whose status is in ``statuses``."""
    geoms = zones.geometry[zones["status"].isin(statuses)].values
    return shapely.union_all(geoms) if len(geoms) else shapely.Polygon()


def status_areas(zones: gpd.GeoDataFrame) -> pd.Series:
    """km² per status (union per status, so overlaps are not counted twice), plus ``held``."""
    areas = {s: area_km2(status_union(zones, (s,))) for s in zones["status"].unique()}
    areas["held"] = area_km2(status_union(zones, model.HELD))
    return pd.Series(areas, name="area_km2", dtype=float)


def share_pct(km2: float, total: float = UKRAINE_KM2) -> float:
    """``km2`` as a percentage of Ukraine."""
    return 100.0 * km2 / total


# ---- geometry helpers shared by changes, frontline and stats --------------------------
METRIC_CRS = "EPSG:3035"  # ETRS89 / LAEA Europe: metres, covers the theatre with little distortion
_TO_METRIC = Transformer.from_crs(model.CRS, METRIC_CRS, always_xy=True)
_FROM_METRIC = Transformer.from_crs(METRIC_CRS, model.CRS, always_xy=True)


_LON0, _LAT0 = (THEATRE.BBOX[0] + THEATRE.BBOX[2]) / 2, (THEATRE.BBOX[1] + THEATRE.BBOX[3]) / 2
_TO_EQUAL_AREA = Transformer.from_crs(
    model.CRS, f"+proj=laea +lat_0={_LAT0} +lon_0={_LON0} +ellps=WGS84 +units=m +no_defs", always_xy=True)


def _reproject(geoms: object, transformer: Transformer) -> object:
    return shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def to_metric(geoms: object) -> object:
    """Geometry (or an array of them) from lon/lat to EPSG:3035 metres."""
    return _reproject(geoms, _TO_METRIC)


def from_metric(geoms: object) -> object:
    """Geometry (or an array of them) from EPSG:3035 metres back to lon/lat."""
    return _reproject(geoms, _FROM_METRIC)


def areas_km2(geoms: object) -> np.ndarray:
    """km² of each geometry of an array, on the WGS84 ellipsoid (0 for missing or empty ones).

    Measured in a Lambert azimuthal equal-area projection centred on the theatre, which keeps
    areas exact everywhere on the ellipsoid; with one call for the whole array this is ~10x
    faster than summing geodesic polygons ring by ring. It differs from the geodesic area
    (``geodesic_area_km2``) only in how long straight edges are read: 0.003 % for a 1° x 1°
    box, under 0.001 % for the held area of the embedded fronts.
    """
    values = np.asarray(geoms, dtype=object).ravel()
    out = np.zeros(len(values), dtype=float)
    ok = ~(shapely.is_missing(values) | shapely.is_empty(values))
    if ok.any():
        out[ok] = shapely.area(_reproject(values[ok], _TO_EQUAL_AREA)) / 1e6
    return out


def geodesic_area_km2(geometry: shapely.Geometry | None) -> float:
    """Geodesic area in km² (pyproj.Geod, ring by ring): the reference ``areas_km2`` is checked against."""
    if geometry is None or geometry.is_empty:
        return 0.0
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(geometry)) / 1e6


def length_km(geometry: shapely.Geometry | None) -> float:
    """Geodesic length of a (multi)line in km (0 for empty or missing geometry)."""
    if geometry is None or geometry.is_empty:
        return 0.0
    return sum(GEOD.geometry_length(p) for p in shapely.get_parts(geometry)) / 1e3


def polygon_parts(geometry: shapely.Geometry | None) -> np.ndarray:
    """The single polygons of a geometry (points and lines from overlay dropped)."""
    if geometry is None or geometry.is_empty:
        return np.array([], dtype=object)
    parts = shapely.get_parts(geometry)
    while True:  # collections may nest multi-geometries
        multi = shapely.get_type_id(parts) >= shapely.GeometryType.MULTIPOINT.value
        if not multi.any():
            break
        parts = np.concatenate([parts[~multi], shapely.get_parts(parts[multi])])
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON.value) & ~shapely.is_empty(parts)
    return parts[keep]


def thinner_than(polygons: np.ndarray, width_m: float) -> np.ndarray:
    """True for each polygon with no point farther than ``width_m / 2`` from its edge (e.g. a thin strip)."""
    if not len(polygons):
        return np.zeros(0, dtype=bool)
    return shapely.is_empty(shapely.buffer(to_metric(polygons), -width_m / 2, quad_segs=2))


def polygonal(geometry: shapely.Geometry | None) -> shapely.Geometry | None:
    """The polygonal part of an overlay result as one Polygon/MultiPolygon, or None when it has no area."""
    parts = polygon_parts(geometry)
    if not len(parts):
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(list(parts))
