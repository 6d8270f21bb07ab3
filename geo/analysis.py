"""Questions of space: geodesic areas and shares of the country."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Geod

from geo import model
from geo.admin import THEATRE

GEOD = Geod(ellps="WGS84")
UKRAINE_KM2 = THEATRE.AREA_KM2  # the theatre's country area (Ukraine: 603,628 km²)


def area_km2(geometry: shapely.Geometry | None) -> float:
    """Geodesic area of a (multi)polygon in km² (0 for empty or missing geometry)."""
    if geometry is None or geometry.is_empty:
        return 0.0
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(geometry)) / 1e6


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
