"""Derive Ukraine's internationally recognised border and neighbour outlines from Natural Earth 10m (world-atlas 2.0.2)."""
import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, box

g = gpd.read_file('/tmp/na/package/countries-10m.json', layer='countries').set_crs(4326)
ua = g[g.name == 'Ukraine'].geometry.iloc[0]
ru = g[g.name == 'Russia'].geometry.iloc[0]
crimea = max(ru.intersection(box(32.2, 44.3, 36.7, 46.3)).geoms, key=lambda p: p.area)
parts = [p for p in shapely.get_parts(shapely.union(ua, crimea)) if p.geom_type == 'Polygon']
ukr = shapely.make_valid(MultiPolygon(parts))
ukr = shapely.set_precision(ukr, 1e-5)
out = gpd.GeoDataFrame({'name': ['Ukraine'], 'iso_a3': ['UKR'],
    'source': ['Natural Earth 1:10m admin-0 countries (public domain) via npm world-atlas 2.0.2; Crimea (incl. Sevastopol) moved from the Russia polygon to Ukraine']},
    geometry=[ukr], crs=4326)
out.to_file('/work/main/data/boundaries/ukraine.geojson', driver='GeoJSON', COORDINATE_PRECISION=5)
frame = box(19.0, 42.0, 44.0, 55.5)
nb = g[g.name != 'Ukraine'].copy()
nb['geometry'] = nb.geometry.intersection(frame)
nb = nb[~nb.geometry.is_empty].copy()
nb.loc[nb.name == 'Russia', 'geometry'] = nb.loc[nb.name == 'Russia', 'geometry'].difference(crimea.buffer(0.001))
nb['geometry'] = shapely.set_precision(nb.geometry.simplify(0.005).values, 1e-4)
nb = nb[~nb.geometry.is_empty]
nb['source'] = 'Natural Earth 1:10m (public domain) via npm world-atlas 2.0.2, simplified 0.005 deg'
nb[['name','source','geometry']].to_file('/work/main/data/boundaries/neighbours.geojson', driver='GeoJSON', COORDINATE_PRECISION=4)
print(ukr.geom_type, len(ukr.geoms), nb.name.tolist())
