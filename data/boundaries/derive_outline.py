"""Derive Ukraine's recognised border and neighbour outlines from Natural Earth 1:10m.

Input: ``countries-10m.json`` (TopoJSON) from the npm package world-atlas 2.0.2
(``npm pack world-atlas@2``); Natural Earth is public domain. Natural Earth draws Crimea
inside Russia: its Crimean polygon is moved to Ukraine (Ukraine's internationally
recognised border). Run: python data/boundaries/derive_outline.py PATH/countries-10m.json
"""

import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, box

HERE = Path(__file__).resolve().parent
NE = "Natural Earth 1:10m admin-0 countries (public domain) via npm world-atlas 2.0.2"


def main(topojson: str) -> None:
    g = gpd.read_file(topojson, layer="countries").set_crs(4326)
    ua = g[g.name == "Ukraine"].geometry.iloc[0]
    ru = g[g.name == "Russia"].geometry.iloc[0]
    crimea = max(ru.intersection(box(32.2, 44.3, 36.7, 46.3)).geoms, key=lambda p: p.area)
    parts = [p for p in shapely.get_parts(shapely.union(ua, crimea)) if p.geom_type == "Polygon"]
    ukr = shapely.set_precision(shapely.make_valid(MultiPolygon(parts)), 1e-5)
    out = gpd.GeoDataFrame({"name": ["Ukraine"], "iso_a3": ["UKR"],
                            "source": [f"{NE}; Crimea (incl. Sevastopol) moved from the Russia polygon to Ukraine"]},
                           geometry=[ukr], crs=4326)
    out.to_file(HERE / "ukraine.geojson", driver="GeoJSON", COORDINATE_PRECISION=5)
    nb = g[g.name != "Ukraine"].copy()
    nb["geometry"] = nb.geometry.intersection(box(19.0, 42.0, 44.0, 55.5))
    nb = nb[~nb.geometry.is_empty].copy()
    is_ru = nb.name == "Russia"
    nb.loc[is_ru, "geometry"] = nb.loc[is_ru, "geometry"].difference(crimea.buffer(0.001))
    nb["geometry"] = shapely.set_precision(nb.geometry.simplify(0.005).values, 1e-4)
    nb = nb[~nb.geometry.is_empty]
    nb["source"] = f"{NE}, simplified 0.005 deg"
    nb[["name", "source", "geometry"]].to_file(HERE / "neighbours.geojson", driver="GeoJSON", COORDINATE_PRECISION=4)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/na/package/countries-10m.json")
