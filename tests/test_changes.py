"""geo.changes: gains and losses on hand-built coverages with known areas, towns, sources, export, CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import folium
import geopandas as gpd
import jsonschema
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box

from geo import changes, model
from geo.atlas import Atlas
from layers import REGISTRY, View

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "FeatureCollection.json").read_text())
GEOD = Geod(ellps="WGS84")
T1, T2 = pd.Timestamp("2022-09-07T22:05", tz="UTC"), pd.Timestamp("2022-09-15T19:57", tz="UTC")


def dense(b: shapely.Geometry) -> shapely.Geometry:
    """A box with a vertex every 0.01°, so geodesic edges follow the box's sides."""
    return shapely.segmentize(b, 0.01)


def km2(geom: shapely.Geometry) -> float:
    """Independent geodesic area straight from pyproj."""
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def zones(rows: list[tuple[str, pd.Timestamp, str, shapely.Geometry]]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"source": [r[0] for r in rows], "as_of": [r[1] for r in rows],
                              "status": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs=model.CRS)
    return model.normalize("control", frame)[0]


# The coverage: occupied box moves east by 0.5°, plus a crossing bump; the grey zone moves east.
OCC1, OCC2 = dense(box(30, 48, 31, 49)), dense(box(30.5, 48, 31.5, 49))
BUMP = dense(box(30.8, 49, 31.2, 49.5))  # new in D2, straddles the oblast border at 31°E
CRIMEA = dense(box(33, 45, 34, 46))
GREY1, GREY2 = dense(box(31, 48, 31.2, 49)), dense(box(31.5, 48, 31.7, 49))
THIN = box(35, 48, 35.0003, 48.2)  # ~22 m wide, 0.5 km²: a re-drawn edge
SPECK = box(36, 48, 36.002, 48.002)  # ~0.03 km²
STRIP = box(37, 48, 37.003, 48.2)  # ~220 m wide: real
CONTROL = [
    ("ds", T1, "occupied", OCC1), ("ds", T1, "occupied_before", CRIMEA), ("ds", T1, "contested", GREY1),
    ("ds", T2, "occupied", shapely.union_all([OCC2, BUMP, THIN, SPECK, STRIP])),
    ("ds", T2, "occupied_before", CRIMEA), ("ds", T2, "contested", GREY2),
    ("isw", T2, "occupied", dense(box(30.6, 48, 31.5, 49))),
]
TOWNS = [  # id, name, population, lon, lat
    ("1", "Liberated town", 50_000, 30.25, 48.5), ("2", "Grey then taken", 120_000, 31.1, 48.5),
    ("3", "Now grey", None, 31.6, 48.5), ("4", "Crimean town", 300_000, 33.5, 45.5), ("5", "Free", 9_000, 28, 48),
]


def build() -> Atlas:
    towns = gpd.GeoDataFrame(
        {"town_id": [t[0] for t in TOWNS], "name": [t[1] for t in TOWNS], "population": [t[2] for t in TOWNS],
         "admin1": ["Kharkiv", "Donetsk", "Donetsk", "Crimea", "Kyiv"], "source": "test"},
        geometry=[Point(t[3], t[4]) for t in TOWNS], crs=model.CRS)
    return Atlas(zones(CONTROL), model.normalize("towns", towns)[0], model.empty("strikes"),
                 manifest={"attribution": {"ds": "Data: test"}})


@pytest.fixture
def atlas() -> Atlas:
    return build()


@pytest.fixture
def atlas_dir(tmp_path) -> Path:
    """The coverage saved as a store, with a two-oblast boundaries table split at 31°E."""
    build().save(tmp_path / "store")
    gpd.GeoDataFrame({"level": ["admin1", "admin1", "admin2"], "name": ["Kh", "Do", "x"],
                      "admin1": ["Kharkiv", "Donetsk", "Donetsk"]},
                     geometry=[box(29, 47, 31, 50), box(31, 47, 38, 50), box(31, 47, 32, 48)],
                     crs=model.CRS).to_parquet(tmp_path / "store" / "boundaries.parquet")
    return tmp_path / "store"


def test_areas_match_independent_geodesic_areas(atlas):
    d = changes.diff(atlas, "2022-09-08", "2022-09-15", "ds")
    t = d.totals()
    assert t["gain"] == pytest.approx(km2(dense(box(31, 48, 31.5, 49))) + km2(BUMP) + km2(STRIP), rel=1e-6)
    assert t["loss"] == pytest.approx(km2(dense(box(30, 48, 30.5, 49))), rel=1e-6)
    assert t["contested_gain"] == pytest.approx(km2(GREY2), rel=1e-6)
    assert t["contested_loss"] == pytest.approx(km2(GREY1), rel=1e-6)
    assert t["net"] == pytest.approx(t["gain"] - t["loss"])
    dropped = d.slivers["gain"]["area_km2"]
    assert t["net"] + dropped == pytest.approx(t["held_change"], rel=1e-6)
    assert t["held_from"] == pytest.approx(km2(OCC1) + km2(CRIMEA), rel=1e-6)
    assert set(d.zones["change"]) == set(changes.CHANGES)
    assert d.zones["admin1"].isna().all() and not d.admin1_loaded
    assert d.by_admin1().empty


def test_equator_box_matches_the_closed_formula():
    """A 1°x1° cell north of the equator: the ellipsoidal quadrangle area, no pyproj involved."""
    a, f = 6378137.0, 1 / 298.257223563
    e = math.sqrt(f * (2 - f))

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (1 - e * e * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    expected = math.radians(1) * a * a * (1 - e * e) / 2 * (q(1) - q(0)) / 1e6
    cell = [("eq", T1, "occupied", dense(box(0, 0, 1, 1))), ("eq", T2, "occupied", dense(box(0, 0, 2, 1)))]
    atlas = Atlas(zones(cell), model.empty("towns"), model.empty("strikes"))
    t = changes.diff(atlas, "2022-09-08", "2022-09-15").totals()
    assert expected == pytest.approx(12_308.46, abs=0.01)
    assert t["gain"] == pytest.approx(expected, rel=1e-6)
    assert t["loss"] == 0 and t["net"] == pytest.approx(expected, rel=1e-6)


def test_slivers_are_dropped_and_counted(atlas):
    d = changes.diff(atlas, "2022-09-08", "2022-09-15", "ds")
    assert d.slivers["gain"]["count"] == 2
    assert d.slivers["gain"]["area_km2"] == pytest.approx(km2(THIN) + km2(SPECK), rel=1e-6)
    assert d.slivers["loss"] == {"count": 0, "area_km2": 0.0}
    gains = d.zones[d.zones["change"] == "gain"]
    assert len(gains) == 2  # the main strip with the bump (they share an edge), and the 220 m strip
    assert gains["area_km2"].min() == pytest.approx(km2(STRIP), rel=1e-6)


def test_towns_that_changed_hands_sorted_by_population(atlas):
    towns = changes.diff(atlas, "2022-09-08", "2022-09-15", "ds").towns
    assert towns[["name", "status_from", "status_to"]].values.tolist() == [
        ["Grey then taken", "contested", "occupied"],
        ["Liberated town", "occupied", "free"],
        ["Now grey", "free", "contested"],
    ]
    assert list(towns.columns) == [*changes.TOWN_COLUMNS, "geometry"]


def test_breakdown_by_oblast_splits_pieces(atlas_dir):
    atlas = Atlas.load(atlas_dir)
    d = changes.diff(atlas, "2022-09-08", "2022-09-15", "ds")
    table = d.by_admin1()
    assert d.admin1_loaded
    bump = km2(BUMP)
    assert table.loc["Kharkiv", "gain"] == pytest.approx(bump / 2, rel=2e-3)
    assert table.loc["Kharkiv", "loss"] == pytest.approx(km2(dense(box(30, 48, 30.5, 49))), rel=1e-6)
    assert table.loc["Donetsk", "gain"] == pytest.approx(d.totals()["gain"] - table.loc["Kharkiv", "gain"])
    assert table["gain"].sum() == pytest.approx(d.totals()["gain"], rel=1e-9)
    assert table.loc["Kharkiv", "net"] == pytest.approx(table.loc["Kharkiv", "gain"] - table.loc["Kharkiv", "loss"])
    assert set(d.zones["admin1"]) == {"Kharkiv", "Donetsk"}


def test_diff_is_cached_per_snapshot_pair(atlas):
    a = changes.diff(atlas, "2022-09-08", "2022-09-15", "ds")
    b = changes.diff(atlas, "2022-09-10", "2022-09-15", "ds")
    assert b.zones is a.zones and (b.date_from, b.date_to) == (dt.date(2022, 9, 10), dt.date(2022, 9, 15))
    assert atlas.cache.hits >= 1


@pytest.mark.parametrize("d1,d2,source,message", [
    ("2022-09-15", "2022-09-08", "ds", "must be before"),
    ("2022-09-08", "2022-09-08", "ds", "must be before"),
    ("2022-09-08", "2022-09-15", "nope", "unknown source 'nope'"),
    ("2022-09-08", "2022-09-15", "isw", "no isw snapshot on or before 2022-09-08"),
    ("2021-01-01", "2022-09-15", "ds", "outside the data"),
])
def test_bad_requests_are_one_sentence(atlas, d1, d2, source, message):
    with pytest.raises(model.DataError, match=message):
        changes.diff(atlas, d1, d2, source)


def test_compare_sources(atlas):
    c = changes.compare_sources(atlas, "2022-09-15", "ds", "isw")
    f = c.figures()
    assert f["held_b"] == pytest.approx(km2(dense(box(30.6, 48, 31.5, 49))), rel=1e-6)
    assert f["b_only"] == 0
    assert f["a_only"] == pytest.approx(km2(dense(box(30.5, 48, 30.6, 49))) + km2(BUMP) + km2(STRIP)
                                        + km2(CRIMEA), rel=1e-6)
    assert f["both"] == pytest.approx(f["held_b"], rel=1e-6)
    assert set(c.zones["held_by"]) == {"ds"}
    with pytest.raises(model.DataError, match="two different sources"):
        changes.compare_sources(atlas, "2022-09-15", "ds", "ds")


def test_geojson_export_has_properties_towns_and_metadata(atlas):
    d = changes.diff(atlas, "2022-09-08", "2022-09-15", "ds")
    fc = json.loads(json.dumps(changes.to_geojson(d, atlas)))
    jsonschema.validate(fc, SCHEMA)
    props = [f["properties"] for f in fc["features"]]
    assert {p["change"] for p in props} == {*changes.CHANGES, "town"}
    assert all(p["admin1"] is None for p in props if p["change"] != "town")
    towns = [p for p in props if p["change"] == "town"]
    assert [(t["name"], t["population"], t["status_from"], t["status_to"]) for t in towns][0] == (
        "Grey then taken", 120000, "contested", "occupied")
    meta = fc["metadata"]
    assert meta["source"] == "ds" and meta["snapshot_from"] == "2022-09-07T22:05:00Z"
    assert meta["slivers_dropped"]["count"] == 2 and meta["towns_changed_hands"] == 3
    assert meta["totals_km2"]["net"] == pytest.approx(d.totals()["net"], abs=1e-3)
    assert meta["by_admin1_km2"] is None and "boundaries" in meta["admin1_note"]
    assert meta["attribution"] and meta["generator"].startswith("frontline")


def test_changes_layer_draws_pieces_towns_and_summary(atlas):
    layer = REGISTRY["changes"]
    assert not layer.default_on
    view = View(dt.date(2022, 9, 15), "ds", 7)  # no compare_to: the previous snapshot
    m = folium.Map()
    layer.feature_group(atlas, view).add_to(m)
    html = m.get_root().render()
    assert "fl-summary" in html and "Towns that changed hands" in html
    data = atlas.cache.get(("changes-geojson", "ds", T1, T2), lambda: None)
    assert {f["properties"]["s"] for f in data.features} == {*changes.CHANGES, "town_invader", "town_defender",
                                                               "town_contested"}
    before = View(dt.date(2022, 9, 15), "ds", 7, compare_to=dt.date(2022, 9, 7))
    assert layer.frame(atlas, before)["change"].tolist() == layer.frame(atlas, view)["change"].tolist()
    m2 = folium.Map()
    layer.feature_group(atlas, View(dt.date(2022, 9, 8), "ds", 7)).add_to(m2)
    assert "No earlier snapshot" in m2.get_root().render()


def test_disagreement_layer_summarises_two_sources(atlas):
    m = folium.Map()
    REGISTRY["disagreement"].feature_group(atlas, View(dt.date(2022, 9, 15), "ds", 7)).add_to(m)
    html = m.get_root().render()
    assert "ds vs isw" in html and "a_only" in html


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_diff_writes_geojson_with_oblasts(atlas_dir, tmp_path):
    out = tmp_path / "d.geojson"
    result = run("diff", "--from", "2022-09-08", "--to", "2022-09-15", "--source", "ds", "--data", str(atlas_dir),
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    fc = json.loads(out.read_text())
    assert {f["properties"]["admin1"] for f in fc["features"] if f["properties"]["change"] != "town"} == {
        "Kharkiv", "Donetsk"}
    assert set(fc["metadata"]["by_admin1_km2"]) == {"Kharkiv", "Donetsk"}
    assert "3 town(s) changed hands" in result.stderr
    bad = run("diff", "--from", "2022-09-15", "--to", "2022-09-08", "--data", str(atlas_dir), "--out", str(out))
    assert bad.returncode == 2 and "must be before" in bad.stderr and "Traceback" not in bad.stderr


def test_real_deepstate_gain_minus_loss_equals_change_of_held_area(shared_data):
    """Kharkiv counter-offensive, DeepState 2022-09-07 -> 2022-09-15."""
    from geo.importers import Options, get, run_file

    folder = shared_data / "deepstatemap-history"
    frames = [run_file(get("deepstate"), folder / f"{n}.geojson", Options()).frames["control"]
              for n in (1662588326, 1663271871)]
    control = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=model.CRS)
    atlas = Atlas(control, model.empty("towns"), model.empty("strikes"))
    t = changes.diff(atlas, "2022-09-07", "2022-09-15", "deepstate").totals()
    assert t["held_change"] < -8000  # the counter-offensive took back more than 8,000 km²
    assert t["net"] == pytest.approx(t["held_change"], rel=0.005)
    assert t["loss"] > 100 * t["gain"]
