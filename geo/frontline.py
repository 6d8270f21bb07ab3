"""The front line: where occupied or contested ground meets the rest of Ukraine.

It is the outline of held ∪ contested ground with holes filled (reservoirs and lagoons inside
occupied ground are not front), minus everything within ``BORDER_M`` of Ukraine's state border
or coast, clipped to Ukraine. The buffer absorbs the difference between a source's detailed
border and coast and the embedded Natural Earth outline (1:10m). Lengths are geodesic.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely

from geo import analysis, model
from geo.atlas import DEFAULT_DATA

OUTLINE = DEFAULT_DATA / "boundaries" / "ukraine.geojson"
BORDER_M = 3000.0  # measured on DeepState 2022-09-07: 2 km leaves coast bits, 5 km cuts the front at the border
FRONT_STATUSES = (*model.HELD, "contested")


@lru_cache(maxsize=4)
def outline_metric(path: str = str(OUTLINE)) -> shapely.Geometry:
    """Ukraine's outline (recognised borders) in EPSG:3035 metres, prepared."""
    geom = analysis.to_metric(shapely.union_all(gpd.read_file(path).to_crs(model.CRS).geometry.values))
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=4)
def _border_band(path: str, border_m: float) -> shapely.Geometry:
    band = shapely.buffer(shapely.boundary(outline_metric(path)), border_m, quad_segs=4)
    shapely.prepare(band)
    return band


def fill_holes(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygons of ``geometry`` without their interior rings."""
    parts = analysis.polygon_parts(geometry)
    return shapely.union_all([shapely.Polygon(p.exterior) for p in parts]) if len(parts) else shapely.Polygon()


def frontline(zones: gpd.GeoDataFrame, outline: Path | str = OUTLINE, border_m: float = BORDER_M
              ) -> shapely.Geometry:
    """The front line of one snapshot's ``zones`` as a (Multi)LineString in lon/lat (empty when none)."""
    area = fill_holes(analysis.status_union(zones, FRONT_STATUSES))
    if area.is_empty:
        return shapely.MultiLineString()
    line = analysis.to_metric(shapely.boundary(area))
    line = shapely.intersection(shapely.difference(line, _border_band(str(outline), border_m)),
                                outline_metric(str(outline)))
    parts = [p for p in shapely.get_parts(shapely.line_merge(_lines(line))) if not p.is_empty]
    return analysis.from_metric(shapely.MultiLineString(parts)) if parts else shapely.MultiLineString()


def _lines(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the linear parts of an overlay result, as one MultiLineString."""
    parts = shapely.get_parts(geometry)
    lines = [q for p in parts for q in shapely.get_parts(p) if q.geom_type == "LineString" and not q.is_empty]
    return shapely.MultiLineString(lines)


def length(zones: gpd.GeoDataFrame, outline: Path | str = OUTLINE) -> float:
    """The front line's geodesic length in km."""
    return analysis.length_km(frontline(zones, outline))
