"""The benchmark data generator at a tiny scale: store format, shared edges, seeding."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from bench import generate
from geo import model
from geo.atlas import Atlas

TINY = generate.Params(snapshots=3, strikes=120, towns=50, vertices=6000, seed=7)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return generate.generate(tmp_path_factory.mktemp("gen") / "data", TINY)


def test_writes_a_loadable_store_with_the_requested_sizes(tiny_dir):
    assert sorted(p.name for p in tiny_dir.iterdir()) == ["atlas.json", "control.parquet", "strikes.parquet",
                                                          "towns.parquet"]
    atlas = Atlas.load(tiny_dir)
    assert atlas.sources == ["synthetic"]
    assert len(atlas.snapshots("synthetic")) == 3
    assert len(atlas.towns) == 50 and len(atlas.strikes) == 120
    assert atlas.dates == (generate.START.date(), (generate.START + pd.Timedelta(days=2)).date())
    assert json.loads((tiny_dir / "atlas.json").read_text())["params"] == generate.asdict(TINY)
    assert generate.stored_params(tiny_dir) == TINY


def test_frames_are_canonical(tiny_dir):
    atlas = Atlas.load(tiny_dir)
    for name in model.LAYERS:
        frame = atlas.layer(name)
        clean, rejects = model.normalize(name, frame)
        assert rejects == [] and len(clean) == len(frame)
    control = atlas.control
    assert set(control["status"]) == {"occupied_before", "occupied", "contested", "liberated"}
    keys = list(zip(control["source"], control["as_of"], strict=True))
    assert keys == sorted(keys)  # one snapshot is a contiguous range of the file
    assert set(atlas.strikes["kind"]) <= set(model.STRIKE_KINDS)
    assert (atlas.strikes["killed"] == 0).mean() > 0.7  # casualties mostly 0


def test_each_snapshot_is_a_valid_coverage_of_about_the_requested_vertices(tiny_dir):
    atlas = Atlas.load(tiny_dir)
    country = shapely.union_all(gpd.read_file(generate.ROOT / "data" / "boundaries" / "ukraine.geojson").geometry)
    for as_of in atlas.snapshots("synthetic"):
        zones = atlas.zones_at(as_of, "synthetic")
        assert shapely.coverage_is_valid(zones.geometry.values)  # zones share edges, never overlap
        assert 0.8 * TINY.vertices < shapely.get_num_coordinates(zones.geometry.values).sum() < 1.2 * TINY.vertices
        assert zones.union_all().difference(country.buffer(1e-6)).area < 1e-6  # inside Ukraine
    first, last = (atlas.zones_at(t, "synthetic") for t in atlas.snapshots("synthetic")[[0, -1]])
    moved = first[first["status"] == "occupied"].union_all().symmetric_difference(
        last[last["status"] == "occupied"].union_all())
    assert 0 < moved.area < 0.05 * first.union_all().area  # the front moves a little each day


def test_towns_and_strikes_are_plausible(tiny_dir):
    atlas = Atlas.load(tiny_dir)
    towns = atlas.towns
    population = towns["population"].to_numpy(float)
    assert towns["town_id"].is_unique and population[0] > 30 * population[-1]  # Zipf-like
    assert list(towns["kind"][:2]) == ["capital", "oblast_centre"]
    assert towns["admin1"].notna().all()
    assert atlas.strikes["place"].isin(set(towns["name"])).all()


def test_same_seed_gives_identical_files(tiny_dir, tmp_path):
    again = generate.generate(tmp_path / "again", TINY)
    for name in ("control.parquet", "towns.parquet", "strikes.parquet", "atlas.json"):
        assert (again / name).read_bytes() == (tiny_dir / name).read_bytes(), name
