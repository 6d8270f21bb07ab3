"""DeepStateMap importers on the real extracts (history snapshots and the daily mirror)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo import importers, model, store
from geo.analysis import area_km2, share_pct, status_areas
from geo.importers import deepstate_style as style
from geo.importers.base import Options
from geo.importers.geojson_features import theatre_area

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def history(shared_data) -> dict[str, importers.FileResult]:
    """Every shared history snapshot imported once (about 2 s for all 19)."""
    importer = importers.get("deepstate")
    files = importer.files([shared_data / "deepstatemap-history"])
    return {f.name: importers.run_file(importer, f, Options()) for f in files}


@pytest.fixture(scope="module")
def mirror(shared_data) -> dict[str, importers.FileResult]:
    importer = importers.get("deepstate-mirror")
    files = importer.files([shared_data / "deepstate-map-data"])
    return {f.name: importers.run_file(importer, f, Options()) for f in files}


def raw_features(shared_data: Path, name: str) -> list[dict]:
    return json.loads((shared_data / "deepstatemap-history" / name).read_text("utf-8"))["features"]


def test_every_snapshot_imports_and_loses_nothing(history, shared_data):
    assert len(history) == 19
    for name, result in history.items():
        assert result.read == len(raw_features(shared_data, name))
        assert result.read == result.stored + len(result.rejects), name
        control = result.frames["control"]
        assert set(control["status"]) <= set(model.STATUSES)
        assert control.geometry.is_valid.all() and not control.geometry.has_z.any()
        assert (control["as_of"] == pd.Timestamp(int(name.split(".")[0]), unit="s", tz="UTC")).all()
        assert (control["source"] == "deepstate").all() and (control["source_url"] == "https://deepstatemap.live").all()
        assert not control["label"].str.contains("\u00a0|\n").any()
        used = set(control["feature"]) | set(result.frames["markers"]["feature"]) | {r.row for r in result.rejects}
        assert used == set(range(result.read))  # every feature in exactly one place


def test_status_counts_of_a_known_snapshot(history):
    result = history["1668296906.geojson"]  # 2022-11-12, the day after Kherson
    assert result.frames["control"]["status"].value_counts().to_dict() == {
        "liberated": 57, "contested": 9, "occupied": 6, "occupied_before": 3}
    assert len(result.frames["markers"]) == 84
    assert {(r.field, r.reason) for r in result.rejects} == {("name", "out of theatre"), ("geometry", "out of theatre")}
    assert sum(r.field == "name" for r in result.rejects) == 11  # the #ff5252 commentary polygons


def test_four_naming_eras_read_alike(history):
    def statuses(name: str, pattern: str) -> set[str]:
        c = history[name].frames["control"]
        return set(c.loc[c["label"].str.contains(pattern, regex=False), "status"])

    assert statuses("1651432119.geojson", "Під питанням") == {"contested"}  # Ukrainian only
    assert statuses("1662064277.geojson", "Contensed") == {"contested"}  # the typo era
    assert statuses("1662064277.geojson", "Taken back") == {"liberated"}
    assert statuses("1668296906.geojson", "Unknown status") == {"contested"}
    assert statuses("1753989730.geojson", "geoJSON.status.dismissed") == {"liberated", "defender_held_abroad"}
    assert statuses("1753989730.geojson", "geoJSON.territories.crimea") == {"occupied_before"}
    assert statuses("1651432119.geojson", "ОРДЛО") == {"occupied_before"}  # fill #000000 in spring 2022


@pytest.mark.parametrize("fill,name,expected", [
    (None, "Під питанням\u00a0/// Contensed", "contested"),
    ("#123456", "Звільнено /// Taken back", "liberated"),
    (None, "Статус невідомий /// Unknown status /// geoJSON.status.unknown", "contested"),
    (None, "ОРДЛО /// CADR and CALR", "occupied_before"),
    (None, "Окуповано /// Occupied /// geoJSON.status.occupied", "occupied"),
    ("#880e4f", "Придністров'я", style.FOREIGN),  # April-May 2022 Transnistria wore the pre-2022 colour
    ("#01579b", "Звільнено /// Liberated /// geoJSON.status.dismissed", "defender_held_abroad"),
    (None, "Зміїний /// Snake Island", None),
])
def test_zone_status_from_colour_and_name(fill, name, expected):
    assert style.zone_status(fill, name)[0] == expected


def test_invalid_polygons_of_1651432119_repaired_or_rejected(history, shared_data):
    raw = raw_features(shared_data, "1651432119.geojson")
    invalid = [i for i, f in enumerate(raw) if f["geometry"]["type"] != "Point"
               and not shapely.geometry.shape(f["geometry"]).is_valid]
    assert invalid == [41, 60]
    result = history["1651432119.geojson"]
    control = result.frames["control"].set_index("feature")
    repaired = control.loc[60]
    assert repaired["status"] == "occupied" and repaired.geometry.is_valid
    expected = shapely.make_valid(shapely.force_2d(shapely.geometry.shape(raw[60]["geometry"])))
    assert area_km2(repaired.geometry) == pytest.approx(area_km2(expected), rel=1e-9)
    assert [(r.row, r.reason) for r in result.rejects if r.row == 41] == [(41, "out of theatre")]  # Transnistria


def test_arabian_sea_triangle_dropped_row_kept(history):
    for name in ("1684709725.geojson", "1689431799.geojson"):
        control = history[name].frames["control"].set_index("feature")
        zone = control.loc[1]
        assert zone["status"] == "contested"
        assert zone["note"] == "dropped 1 part(s) outside the theatre near 64.40E 14.55N"
        assert zone.geometry.bounds[2] < 41  # no part east of the theatre
        minx, miny, maxx, maxy = control.geometry.total_bounds
        assert 20 < minx and maxx < 42 and 43 < miny and maxy < 53


def test_joke_polygons_and_far_points_rejected_out_of_theatre(history):
    result = history["1753989730.geojson"]
    values = " ".join(r.value for r in result.rejects if r.reason == "out of theatre")
    for place in ("Petsamo", "Karelia", "Abkhazia", "Kuril", "Transnistria", "Moscow", "Minsk", "Pyongyang"):
        assert place in values
    assert not result.frames["control"]["label"].str.contains("Transnistria|Abkhazia|Petsamo").any()
    theatre = theatre_area()
    assert shapely.intersects(theatre, result.frames["control"].geometry.values).all()
    assert shapely.intersects(theatre, result.frames["markers"].geometry.values).all()
    # Snake Island (35 km offshore), Tuzla and the Kursk zones stay in
    labels = " ".join(result.frames["control"]["label"])
    assert "Snake Island" in labels and "Tuzla" in labels
    assert (result.frames["control"]["status"] == "defender_held_abroad").sum() == 2


def test_markers_keep_units_airfields_and_arrow_directions(history):
    markers = pd.concat([r.frames["markers"] for r in history.values()], ignore_index=True)
    assert len(markers) > 3000
    assert {"unit", "hq", "airfield", "arrow", "capital"} <= set(markers["kind"])
    arrows = markers[markers["kind"] == "arrow"]
    assert len(arrows) > 500
    assert arrows["direction"].between(0, 337.5).all()
    assert markers.loc[markers["kind"] != "arrow", "direction"].isna().all()
    assert arrows["icon"].str.fullmatch(r"arrow_\d+").all()
    assert style.arrow_bearing("arrow_1") == 0.0 and style.arrow_bearing("arrow_7") == 135.0
    assert not markers.geometry.has_z.any() and (markers["source"] == "deepstate").all()
    assert not markers["description"].str.contains(r"\{icon=").any()


def test_liberation_dates_parsed_from_labels(history):
    def notes(name: str, pattern: str) -> set[str]:
        c = history[name].frames["control"]
        return set(c.loc[c["label"].str.contains(pattern, regex=False), "note"])

    assert notes("1651432119.geojson", "Звільнено 25.03") == {"liberated_on 2022-03-25"}
    assert notes("1651432119.geojson", "Звільнено 27-31.03.2022") == {"liberated_on 2022-03-27/2022-03-31"}
    assert notes("1662064277.geojson", "Taken back 25.03") == {"liberated_on 2022-03-25"}
    # a 2022 label carried into 2025 keeps its 2022 year (Bilohorivka, 19 Sep 2022)
    assert notes("1747338154.geojson", "{{at:19.09}}") == {"liberated_on 2022-09-19"}


@pytest.mark.parametrize("label,as_of,expected", [
    ("Звільнено 16.03-17.03 /// Liberated 16.03-17.03", "2022-09-01", "2022-03-16/2022-03-17"),
    ("Звільнено 31.03 - 02.04", "2022-05-01", "2022-03-31/2022-04-02"),
    ("Звільнено 26.06\u00a0/// Liberated 23.06", "2022-09-01", "2022-06-26"),  # the Ukrainian part wins
    ("Звільнено 23.03.2022", "2023-01-01", "2022-03-23"),
    ("Звільнено 02.07 /// Liberated 02.07 /// geoJSON.status.dismissed_at {{at:02.07}}", "2025-07-31", "2022-07-02"),
    ("Звільнено в 10х-20х числах квітня", "2022-05-01", None),
    ("Звільнено 31.12", "2022-05-01", None),  # after the snapshot in every year since 2022
    ("Звільнено 31.02", "2023-05-01", None),
])
def test_liberation_date(label, as_of, expected):
    assert style.liberation_date(label, dt.date.fromisoformat(as_of)) == expected


def test_merging_twice_changes_nothing(history, tmp_path):
    importer = importers.get("deepstate")
    results = [history["1668296906.geojson"], history["1753989730.geojson"]]
    store.merge(tmp_path, importer, results)
    first = {n: len(gpd.read_parquet(tmp_path / f"{n}.parquet")) for n in ("control", "markers")}
    rejects = len(pd.read_csv(tmp_path / "rejects.csv"))
    store.merge(tmp_path, importer, results[:1])
    store.merge(tmp_path, importer, results)
    assert {n: len(gpd.read_parquet(tmp_path / f"{n}.parquet")) for n in ("control", "markers")} == first
    assert len(pd.read_csv(tmp_path / "rejects.csv")) == rejects
    assert first == {"control": 75 + 96, "markers": 84 + 352}


def test_occupied_area_matches_an_independent_geodesic_measure(history, shared_data):
    control = history["1668296906.geojson"].frames["control"]
    ours = status_areas(control)
    # independently: pyproj on a shapely union of the raw #a52714 polygons (2-D, valid, in theatre)
    raw = raw_features(shared_data, "1668296906.geojson")
    polygons = [shapely.make_valid(shapely.force_2d(shapely.geometry.shape(f["geometry"]))) for f in raw
                if f["properties"].get("fill") == "#a52714"]
    theatre = shapely.box(22, 44, 41, 53)
    union = shapely.union_all([p for p in polygons if p.intersects(theatre)])
    geod = Geod(ellps="WGS84")
    direct = sum(abs(geod.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(union)) / 1e6
    assert ours["occupied"] == pytest.approx(direct, rel=1e-3)
    assert 60_000 < direct < 70_000
    # DeepState's own figure that day: ~18% of Ukraine held (after + before 24 Feb 2022)
    assert 15 < share_pct(ours["held"]) < 21


def test_mirror_files_one_occupied_zone_each(mirror, history):
    assert len(mirror) == 13
    for name, result in mirror.items():
        control = result.frames["control"]
        assert result.read == 1 and len(control) == 1 and not result.rejects, name
        assert control["status"].iloc[0] == "occupied" and control["source"].iloc[0] == "deepstate-mirror"
        day = pd.Timestamp(name.split("_")[-1].split(".")[0], tz="UTC")
        assert control["as_of"].iloc[0] == day - pd.Timedelta(seconds=1)  # end of the day before the download
    areas = {n: area_km2(r.frames["control"].geometry.iloc[0]) for n, r in mirror.items()}
    assert areas["deepstatemap_data_20240708.geojson"] == pytest.approx(109_400, rel=0.005)
    # the mirror of the evening of 31 Aug 2024 against the history snapshot of 1 Sep 2024 20:23 UTC
    held = status_areas(history["1725222208.geojson"].frames["control"])["held"]
    assert areas["deepstatemap_data_20240901.geojson"] == pytest.approx(held, rel=2e-3)


def test_api_last_answer_and_bad_names(tmp_path):
    fixture = json.loads((ROOT / "tests" / "fixtures" / "deepstate_api" / "1700000000.geojson").read_text("utf-8"))
    last = tmp_path / "last.json"
    last.write_text(json.dumps({"id": 1700000000, "datetime": "2023-11-14T22:13:20.000Z", "map": fixture}))
    result = importers.run_file(importers.get("deepstate"), last, Options())
    assert (result.frames["control"]["as_of"] == pd.Timestamp("2023-11-14 22:13:20", tz="UTC")).all()
    assert result.frames["control"]["status"].tolist() == ["occupied", "occupied_before", "liberated"]
    unnamed = tmp_path / "snapshot.geojson"
    unnamed.write_text(json.dumps(fixture))
    with pytest.raises(model.DataError, match="expected the version's Unix time"):
        importers.run_file(importers.get("deepstate"), unnamed, Options())


def test_cli_imports_a_snapshot(shared_data, tmp_path):
    snapshot = shared_data / "deepstatemap-history" / "1668296906.geojson"
    result = subprocess.run([sys.executable, "-m", "geo", "import", "deepstate", str(snapshot), "--into",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "read 201, stored 75 control, 84 markers, rejected 42" in result.stderr
    manifest = json.loads((tmp_path / "atlas.json").read_text())
    assert "DeepStateMap" in manifest["attribution"]["deepstate"]
