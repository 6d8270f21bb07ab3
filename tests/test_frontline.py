"""geo.frontline: the line where held or contested ground meets the rest of Ukraine, and its length."""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, box

from geo import frontline, model
from geo.atlas import Atlas
from layers import REGISTRY, View

GEOD = Geod(ellps="WGS84")
CUT_KM = frontline.BORDER_M / 1000


def line_km(*coords: tuple[float, float]) -> float:
    """Independent geodesic length of a densified polyline."""
    return GEOD.geometry_length(shapely.segmentize(LineString(coords), 0.01)) / 1000


def dense(b: shapely.Geometry) -> shapely.Geometry:
    return shapely.segmentize(b, 0.01)


def zones(*rows: tuple[str, shapely.Geometry]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"source": "t", "as_of": pd.Timestamp("2022-09-07", tz="UTC"),
                              "status": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs=model.CRS)
    return model.normalize("control", frame)[0]


@pytest.fixture(scope="module")
def country(tmp_path_factory) -> str:
    """A box-shaped country 30–40°E, 45–52°N."""
    path = tmp_path_factory.mktemp("outline") / "country.geojson"
    gpd.GeoDataFrame({"name": ["C"]}, geometry=[dense(box(30, 45, 40, 52))], crs=model.CRS).to_file(path)
    return str(path)


def test_border_is_not_front(country):
    """Held box on the eastern border: front = west side + top and bottom, each cut 3 km short of the border."""
    z = zones(("occupied", dense(box(35, 47, 40, 49))))
    expected = line_km((35, 47), (35, 49)) + line_km((35, 47), (40, 47)) + line_km((35, 49), (40, 49)) - 2 * CUT_KM
    assert frontline.length(z, country) == pytest.approx(expected, abs=0.3)


def test_contested_ground_moves_the_front_and_holes_are_filled(country):
    lake = dense(box(37, 47.5, 37.5, 48))
    held = shapely.difference(dense(box(35, 47, 40, 49)), lake)
    z = zones(("occupied", held), ("contested", dense(box(34.5, 47, 35, 49))))
    expected = line_km((34.5, 47), (34.5, 49)) + line_km((34.5, 47), (40, 47)) + line_km((34.5, 49), (40, 49))
    assert frontline.length(z, country) == pytest.approx(expected - 2 * CUT_KM, abs=0.3)


def test_coast_is_not_front(country):
    """Held ground on the southern edge (a coast): only the two sides and the top remain."""
    z = zones(("occupied_before", dense(box(36, 45, 38, 46))))
    expected = line_km((36, 45), (36, 46)) + line_km((38, 45), (38, 46)) + line_km((36, 46), (38, 46)) - 2 * CUT_KM
    assert frontline.length(z, country) == pytest.approx(expected, abs=0.3)


def test_liberated_and_empty_zones_have_no_front(country):
    assert frontline.length(zones(("liberated", dense(box(35, 47, 36, 48)))), country) == 0
    assert frontline.frontline(zones(("liberated", box(35, 47, 36, 48))).iloc[0:0], country).is_empty


def test_real_outline_meridian_front():
    """Everything east of 38°E held: the front is the 38°E meridian across Ukraine, less 3 km at each end."""
    outline = shapely.union_all(gpd.read_file(frontline.OUTLINE).geometry.values)
    z = zones(("occupied", shapely.intersection(outline, box(38, 44, 41, 53))))
    crossing = shapely.intersection(outline, shapely.segmentize(LineString([(38, 44), (38, 53)]), 0.01))
    parts = shapely.get_parts(crossing)
    expected = sum(GEOD.geometry_length(p) for p in parts) / 1000 - 2 * CUT_KM * len(parts)
    assert frontline.length(z) == pytest.approx(expected, rel=0.01)


def test_frontline_layer_is_cached_and_off_by_default():
    control = zones(("occupied", dense(box(34, 48, 35, 49))))  # inland: the whole outline is front
    atlas = Atlas(control, model.empty("towns"), model.empty("strikes"))
    layer = REGISTRY["frontline"]
    assert not layer.default_on and layer.legend() == [("Front line", "#111111", "box")]
    view = View(dt.date(2022, 9, 7), "t", 7)
    data = layer.geojson(atlas, view)
    assert len(data.features) == 1 and "km" in data.features[0]["properties"]["tooltip"]
    assert layer.geojson(atlas, View(dt.date(2022, 9, 7), "t", 1)) is data
    perimeter = GEOD.geometry_length(dense(box(34, 48, 35, 49)).exterior) / 1000
    assert layer.frame(atlas, view)["length_km"].iloc[0] == pytest.approx(perimeter, rel=1e-4)
    m = folium.Map()
    layer.feature_group(atlas, view).add_to(m)
    assert "LineString" in m.get_root().render()


def test_real_deepstate_front_length(shared_data):
    from geo.importers import Options, get, run_file

    path = shared_data / "deepstatemap-history" / "1662588326.geojson"
    control = run_file(get("deepstate"), path, Options()).frames["control"]
    km = frontline.length(control)
    assert 1200 < km < 1600  # early September 2022, before the Kharkiv counter-offensive
