"""KML and KMZ reading: Placemarks to a GeoDataFrame, with safe XML and archive handling.

Each Placemark becomes one row, indexed by its position in the file (from 0). Columns:
``name``, ``description``, ``folder`` (innermost Folder name), ``when`` (TimeStamp),
``begin``/``end`` (TimeSpan) and every ExtendedData field (``Data`` and ``SimpleData``).
Geometry: Point, LineString, LinearRing, Polygon (with holes) and MultiGeometry. A Placemark
whose coordinates cannot be read gets no geometry and its problem in ``problems``.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree.ElementTree import Element

import geopandas as gpd
import shapely
from shapely.geometry import LinearRing, LineString, Point, Polygon

from geo.importers.safe_files import ArchiveLimits, check_archive, check_rows, iter_xml, read_member
from geo.model import CRS, DataError


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: Element, name: str) -> Element | None:
    return next((c for c in elem if _local(c.tag) == name), None)


def _text(elem: Element | None) -> str | None:
    return elem.text.strip() if elem is not None and elem.text is not None else None


def _coords(elem: Element) -> list[tuple[float, float]]:
    node = _child(elem, "coordinates")
    text = _text(node) or ""
    out = []
    for token in text.split():
        parts = token.split(",")
        if len(parts) < 2:
            raise ValueError(f"coordinate tuple {token[:40]!r} is not lon,lat[,alt]")
        out.append((float(parts[0]), float(parts[1])))
    if not out:
        raise ValueError("no coordinates")
    return out


def _ring(elem: Element | None) -> list[tuple[float, float]]:
    ring = _child(elem, "LinearRing") if elem is not None else None
    if ring is None:
        raise ValueError("polygon boundary without a LinearRing")
    return _coords(ring)


def _geometry(elem: Element) -> shapely.Geometry:
    kind = _local(elem.tag)
    if kind == "Point":
        return Point(_coords(elem)[0])
    if kind == "LineString":
        return LineString(_coords(elem))
    if kind == "LinearRing":
        return LinearRing(_coords(elem))
    if kind == "Polygon":
        holes = [_ring(b) for b in elem if _local(b.tag) == "innerBoundaryIs"]
        return Polygon(_ring(_child(elem, "outerBoundaryIs")), holes)
    if kind == "MultiGeometry":
        parts = [_geometry(c) for c in elem if _local(c.tag) in GEOMETRIES]
        types = {p.geom_type for p in parts}
        if types == {"Polygon"}:
            return shapely.MultiPolygon(parts)
        if types == {"Point"}:
            return shapely.MultiPoint(parts)
        return shapely.GeometryCollection(parts)
    raise ValueError(f"unsupported KML geometry {kind}")


GEOMETRIES = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry")


def _placemark(pm: Element) -> tuple[dict[str, object], str | None]:
    """(row, problem) for one Placemark."""
    row: dict[str, object] = {"name": _text(_child(pm, "name")), "description": _text(_child(pm, "description"))}
    stamp, span = _child(pm, "TimeStamp"), _child(pm, "TimeSpan")
    if stamp is not None:
        row["when"] = _text(_child(stamp, "when"))
    if span is not None:
        row["begin"], row["end"] = _text(_child(span, "begin")), _text(_child(span, "end"))
    ext = _child(pm, "ExtendedData")
    for node in ext.iter() if ext is not None else ():
        kind = _local(node.tag)
        if kind == "Data" and node.get("name"):
            row[node.get("name")] = _text(_child(node, "value"))
        elif kind == "SimpleData" and node.get("name"):
            row[node.get("name")] = _text(node)
    geoms = [c for c in pm if _local(c.tag) in GEOMETRIES]
    row["geometry"], problem = None, None
    if not geoms:
        problem = "placemark without a supported geometry (Point, LineString, Polygon, MultiGeometry)"
    else:
        try:
            row["geometry"] = _geometry(geoms[0])
        except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
            problem = f"unreadable KML coordinates: {exc}"
    return row, problem


def read_kml(source, file: str) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    """Placemarks of a KML file (path or binary file object) as (frame, {row: problem})."""
    rows, problems = [], {}
    for elem, ancestors in iter_xml(source, file, "Placemark"):
        row, problem = _placemark(elem)
        if problem:
            problems[len(rows)] = problem
        folder = next((a for a in reversed(ancestors) if _local(a.tag) == "Folder"), None)
        row.setdefault("folder", _text(_child(folder, "name")) if folder is not None else None)
        rows.append(row)
        check_rows(file, len(rows))
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS) if rows else gpd.GeoDataFrame(
        {"name": []}, geometry=[], crs=CRS)
    return frame, problems


def read_kmz(path: Path, limits: ArchiveLimits = ArchiveLimits()) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    """The main KML of a KMZ (``doc.kml``, else the first ``.kml`` entry), read safely from memory."""
    kmls = [i for i in check_archive(path, limits) if i.filename.lower().endswith(".kml")]
    if not kmls:
        raise DataError(f"{path}: KMZ archive holds no .kml document")
    main = next((i for i in kmls if i.filename.lower() == "doc.kml"), kmls[0])
    return read_kml(io.BytesIO(read_member(path, main, limits)), f"{path.name}:{main.filename}")
