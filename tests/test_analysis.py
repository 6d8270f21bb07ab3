"""Areas on the ellipsoid: the fast equal-area measure against pyproj's geodesic polygons."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from geo import analysis, model


def test_equal_area_measure_matches_geodesic_areas_of_boxes():
    one_degree = box(30, 48, 31, 49)
    assert analysis.area_km2(one_degree) == pytest.approx(analysis.geodesic_area_km2(one_degree), rel=3e-5)
    assert analysis.geodesic_area_km2(one_degree) == pytest.approx(8217.59, abs=0.01)
    dense = shapely.segmentize(one_degree, 0.01)  # short edges: the two readings of an edge agree
    assert analysis.area_km2(dense) == pytest.approx(analysis.geodesic_area_km2(dense), rel=1e-6)


def test_missing_empty_and_non_polygonal_geometries_measure_zero():
    got = analysis.areas_km2([None, shapely.Polygon(), shapely.Point(30, 50), shapely.LineString([(30, 50), (31, 50)]),
                              box(30, 50, 30.1, 50.1)])
    assert got[:4].tolist() == [0.0, 0.0, 0.0, 0.0] and got[4] > 70
    assert analysis.area_km2(None) == 0.0


def test_held_area_of_the_embedded_fronts_matches_the_geodesic_measure(default_atlas):
    source = default_atlas.sources[0]
    for date in ("2022-02-23", "2022-03-20", "2023-05-21", "2025-11-27"):
        held = analysis.status_union(default_atlas.zones_at(date, source), model.HELD)
        assert analysis.area_km2(held) == pytest.approx(analysis.geodesic_area_km2(held), rel=1e-5)
        assert default_atlas.held_km2(date, source) == analysis.area_km2(held)


def test_per_zone_areas_come_in_one_call(default_atlas):
    zones = default_atlas.zones_at("2024-08-20", default_atlas.sources[0])
    fast = analysis.areas_km2(zones.geometry.values)
    slow = np.array([analysis.geodesic_area_km2(g) for g in zones.geometry.values])
    assert len(fast) == len(zones) >= 4
    np.testing.assert_allclose(fast, slow, rtol=1e-5)
