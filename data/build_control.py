"""Build data/control.geojson from the front lines in data/fronts.py.

    python data/build_control.py

For each date of ``fronts.SNAPSHOTS``: held = (held rings clipped to Ukraine's recognised
border) ∪ the pre-2022 zone; occupied = held − pre-2022; contested = contested rings − held;
liberated = everything held on an earlier date since 2022-02-24 − held − contested (as
DeepStateMap draws it); defender_held_abroad = abroad rings outside Ukraine. The zones of a
date are then rebuilt from the faces of their noded boundaries, so neighbouring zones share
their edges exactly (a valid coverage, checked by the tests).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Polygon

HERE = Path(__file__).resolve().parent
GRID = 1e-5  # degrees (~1 m); snaps coordinates so shared edges coincide exactly
INVASION = "2022-02-24"
SOURCE = "sample"


def load_fronts(path: Path = HERE / "fronts.py"):
    """Import fronts.py as a module (it is data, not part of the package)."""
    spec = importlib.util.spec_from_file_location("fronts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ring_union(rings: list) -> shapely.Geometry:
    """The union of rings given as lists of (lon, lat[, name]) points, repaired."""
    polys = [shapely.make_valid(Polygon([(p[0], p[1]) for p in r])) for r in rings if len(r) >= 3]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Only the polygonal part of ``g`` (drops lines and points left by overlay)."""
    parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0]
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def as_coverage(zones: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """Rebuild zones from the faces of their noded boundaries so that edges are shared."""
    zones = {k: shapely.set_precision(v, GRID) for k, v in zones.items() if not v.is_empty}
    if not zones:
        return {}
    edges = shapely.union_all([shapely.boundary(g) for g in zones.values()])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    points = shapely.point_on_surface(faces)
    out: dict[str, list] = {k: [] for k in zones}
    for geom in zones.values():
        shapely.prepare(geom)
    for face, point in zip(faces, points, strict=True):
        for name, geom in zones.items():  # first match wins; zones do not overlap by construction
            if geom.contains(point):
                out[name].append(face)
                break
    return {k: polygonal(shapely.union_all(v)) for k, v in out.items() if v}


def build(fronts, country: shapely.Geometry) -> gpd.GeoDataFrame:
    """Zones of every snapshot in ``fronts`` as a control frame."""
    before = polygonal(shapely.intersection(ring_union(list(fronts.OCCUPIED_BEFORE.values())), country))
    ever_held = shapely.Polygon()
    rows = []
    for snap in sorted(fronts.SNAPSHOTS, key=lambda s: s["date"]):
        held = polygonal(shapely.union(shapely.intersection(ring_union(snap["held"]), country), before))
        contested_rings = shapely.intersection(ring_union(snap.get("contested", [])), country)
        contested = polygonal(shapely.difference(contested_rings, held))
        liberated = shapely.Polygon()
        if snap["date"] >= INVASION:
            liberated = polygonal(shapely.difference(shapely.difference(ever_held, held), contested))
            ever_held = shapely.union(ever_held, held)
        zones = {
            "occupied_before": before,
            "occupied": polygonal(shapely.difference(held, before)),
            "contested": contested,
            "liberated": liberated,
            "defender_held_abroad": polygonal(shapely.difference(ring_union(snap.get("abroad", [])), country)),
        }
        # drop slivers left by re-drawn edges (< ~1 km2)
        zones = {k: polygonal(shapely.MultiPolygon([p for p in shapely.get_parts(v) if p.area > 1e-4]))
                 for k, v in zones.items()}
        as_of = pd.Timestamp(snap["date"], tz="UTC") + pd.Timedelta(hours=12)
        for status, geom in as_coverage(zones).items():
            rows.append({
                "source": SOURCE, "as_of": as_of, "status": status, "label": LABELS[status],
                "note": snap["note"], "source_url": snap.get("source", ""), "geometry": geom,
            })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


LABELS = {
    "occupied_before": "Occupied before 24 Feb 2022",
    "occupied": "Occupied since 24 Feb 2022",
    "contested": "Contested / grey zone",
    "liberated": "Liberated",
    "defender_held_abroad": "Held by Ukraine across the border",
}


def main(argv: list[str] | None = None) -> None:
    """Build ``control.geojson`` (args: [fronts.py [output.geojson]])."""
    args = sys.argv[1:] if argv is None else argv
    fronts = load_fronts(Path(args[0])) if args else load_fronts()
    target = Path(args[1]) if len(args) > 1 else HERE / "control.geojson"
    country = gpd.read_file(HERE / "boundaries" / "ukraine.geojson").geometry.iloc[0]
    frame = build(fronts, country)
    frame["as_of"] = frame["as_of"].map(lambda t: t.isoformat().replace("+00:00", "Z"))
    text = frame.to_json(drop_id=True, ensure_ascii=False)
    data = json.loads(text)
    data["name"] = "frontline embedded control zones (sample)"
    target.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace('{"type":"Feature"', '\n{"type":"Feature"'),
        "utf-8",
    )
    print(f"wrote {len(frame)} zones for {frame['as_of'].nunique()} dates to {target}")


if __name__ == "__main__":
    main()
