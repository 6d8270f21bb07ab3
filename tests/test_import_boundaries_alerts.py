"""geoBoundaries oblasts/raions and air-raid alerts, imported from the real extracts; alert questions."""

import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geo import importers, store
from geo.admin import THEATRE
from geo.alerts import alert_hours, alerts_at
from geo.analysis import area_km2
from geo.importers.base import Options

BOUNDARIES = "geoboundaries-ukr"
ADM1 = "geoBoundaries-UKR-ADM1_simplified.geojson"
ADM2 = "geoBoundaries-UKR-ADM2_simplified.geojson"
ALERTS = "air-raid-alerts-vadimkin"


def run(source: str, path):
    result = importers.run_file(importers.get(source), path, Options())
    assert result.read == result.stored + len(result.rejects)
    return result


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def adm1(shared_data):
    return run("boundaries", shared_data / BOUNDARIES / ADM1)


@pytest.fixture(scope="module")
def official(shared_data):
    return run("alerts", shared_data / ALERTS / "official_data_en.csv")


@pytest.fixture(scope="module")
def volunteer(shared_data):
    return run("alerts", shared_data / ALERTS / "volunteer_data_en.csv")


# ---- boundaries ----------------------------------------------------------------------------
def test_adm1_has_the_27_units_crimea_and_sevastopol_included(adm1):
    table = adm1.frames["boundaries"]
    assert (adm1.read, len(table), adm1.rejects) == (27, 27, [])
    assert sorted(table["admin1"]) == sorted(THEATRE.ADMIN1)
    assert set(table["level"]) == {"admin1"} and table.crs == "EPSG:4326"
    rows = table.set_index("admin1")
    assert rows.loc["Crimea", ["name", "iso"]].tolist() == ["Autonomous Republic of Crimea", "UA-43"]
    assert rows.loc["Kyiv City", ["name", "iso"]].tolist() == ["Kyiv", "UA-30"]
    assert rows.loc["Zaporizhzhia", "name"] == "Zaporizhia Oblast"
    assert rows.loc["Sevastopol", "shape_id"] == "14850775B70667807354554"
    assert shapely.contains_xy(rows.loc["Sevastopol"].geometry, 33.52134, 44.60795)


def test_adm1_areas(adm1):
    table = adm1.frames["boundaries"]
    areas = pd.Series([area_km2(g) for g in table.geometry], index=table["admin1"])
    # the polygons take in inland and coastal water (Sivash, Karkinit Bay, reservoirs): 640,000 km2, not 603,628
    assert areas.sum() == pytest.approx(640_027, rel=1e-3)
    assert area_km2(shapely.union_all(table.geometry.values)) == pytest.approx(areas.sum(), rel=1e-6)  # no overlaps
    assert areas["Kyiv City"] == pytest.approx(825, rel=0.01)
    assert areas["Chernivtsi"] == pytest.approx(8_101, rel=0.01)


def test_adm2_gets_its_oblast_from_the_adm1_file_beside_it(shared_data):
    result = run("boundaries", shared_data / BOUNDARIES / ADM2)
    table = result.frames["boundaries"]
    assert (result.read, len(table), len(result.rejects)) == (495, 495, 0)
    assert set(table["level"]) == {"admin2"} and table["admin1"].notna().all()
    assert table["admin1"].nunique() == 27
    rows = table.set_index("name")
    assert rows.loc["Melitopol", "admin1"] == "Zaporizhzhia"
    assert rows.loc["Bakhchysarai", "admin1"] == "Crimea"
    assert rows.loc["Bakhmut", "admin1"] == "Donetsk"


def test_adm2_alone_leaves_admin1_empty(shared_data, tmp_path):
    shutil.copy(shared_data / BOUNDARIES / ADM2, tmp_path / ADM2)
    table = run("boundaries", tmp_path / ADM2).frames["boundaries"]
    assert len(table) == 495 and table["admin1"].isna().all()


def test_bad_boundary_features_are_rejected(tmp_path):
    def feature(name, iso, kind, geom):
        return {"type": "Feature", "properties": {"shapeName": name, "shapeISO": iso, "shapeID": name,
                                                  "shapeType": kind}, "geometry": geom}
    square = shapely.geometry.mapping(box(30, 50, 31, 51))
    bow_tie = {"type": "Polygon", "coordinates": [[[30, 50], [31, 51], [31, 50], [30, 51], [30, 50]]]}
    fc = {"type": "FeatureCollection", "features": [
        feature("Kyiv Oblast", "UA-32", "ADM1", square),
        feature("Atlantis Oblast", "", "ADM1", square),
        feature("Lviv Oblast", "UA-46", "ADM1", None),
        feature("Somewhere", "", "ADM3", square),
        feature("Odessa Oblast", "UA-51", "ADM1", bow_tie),
    ]}
    path = tmp_path / "bad-ADM1.geojson"
    path.write_text(json.dumps(fc), "utf-8")
    result = run("boundaries", path)
    table = result.frames["boundaries"]
    assert table["admin1"].tolist() == ["Kyiv", "Odesa"]
    assert table.geometry.is_valid.all() and area_km2(table.geometry.iloc[1]) > 0
    assert sorted((r.row, r.field, r.reason) for r in result.rejects) == [
        (1, "shapeName", "unknown admin-1 unit"), (2, "geometry", "empty, missing or not a polygon"),
        (3, "shapeType", "not an ADM1 or ADM2 unit")]


def test_boundaries_import_is_idempotent(adm1, tmp_path):
    importer = importers.get("boundaries")
    store.merge(tmp_path, importer, [adm1])
    store.merge(tmp_path, importer, [adm1])
    back = gpd.read_parquet(tmp_path / "boundaries.parquet")
    assert len(back) == 27 and back.crs == "EPSG:4326"
    manifest = json.loads((tmp_path / "atlas.json").read_text())
    assert manifest["attribution"]["geoboundaries"] == "Boundaries: geoBoundaries (Runfola et al. 2020), CC BY 4.0"


# ---- alerts --------------------------------------------------------------------------------
def test_official_alerts_import_without_loss(official):
    alerts = official.frames["alerts"]
    assert (official.read, len(alerts), official.rejects) == (21522, 21522, [])
    assert alerts["level"].value_counts().to_dict() == {"oblast": 18225, "hromada": 2843, "raion": 454}
    assert str(alerts["started_at"].dt.tz) == "UTC" and str(alerts["finished_at"].dt.tz) == "UTC"
    assert (alerts["finished_at"] >= alerts["started_at"]).all()
    assert alerts["admin1"].nunique() == 25 and (alerts["source"] == "alerts-official").all()
    first = alerts.loc[1]
    assert (first["admin1"], first["started_at"]) == ("Vinnytsia", utc("2022-03-15 16:10:34"))
    assert alerts.loc[alerts["level"] == "oblast", "raion"].isna().all()


def test_swapped_oblast_and_raion_row_is_put_right(official):
    row = official.frames["alerts"].loc[17]  # line 18: "Lubenskyi raion,Poltavska oblast,Hrebinkivska ..."
    assert (row["admin1"], row["raion"], row["level"]) == ("Poltava", "Lubenskyi raion", "hromada")
    assert row["note"] == "oblast and raion columns swapped in the source"


def test_volunteer_alerts_import_without_loss(volunteer):
    alerts = volunteer.frames["alerts"]
    assert (volunteer.read, len(alerts), volunteer.rejects) == (28138, 28138, [])
    assert set(alerts["level"]) == {"oblast"} and (alerts["source"] == "alerts-volunteer").all()
    naive = alerts[alerts["naive"]]
    assert len(naive) == 1232
    assert ((naive["finished_at"] - naive["started_at"]) == pd.Timedelta(minutes=30)).all()


def test_alerts_at_a_known_instant(official):
    alerts = official.frames["alerts"]
    on = alerts_at(alerts, "2022-11-15T14:00:00Z")  # the 15 November 2022 mass missile strike
    assert len(on) == 24 and {"Kyiv City", "Lviv", "Zaporizhzhia"} <= on
    assert not on & {"Luhansk", "Crimea", "Sevastopol"}
    assert alerts_at(alerts, "2022-11-15T14:00:00Z", permanent=True) == on | {"Luhansk"}
    assert alerts_at(alerts, pd.Timestamp("2022-03-15 16:20")) == {
        "Vinnytsia", "Zhytomyr", "Rivne", "Lviv", "Volyn", "Ivano-Frankivsk", "Kirovohrad", "Kyiv City"}
    assert len(alerts_at(alerts, "2022-03-15 16:20", levels=None)) == 12  # raion/hromada alerts add 4


def test_alert_hours_on_a_known_day(official):
    hours = alert_hours(official.frames["alerts"], "2022-11-15")
    # Kyiv City: 12:21:52-16:20:08 and 21:39:56-22:25:08 UTC
    assert hours["Kyiv City"] == pytest.approx((3 * 3600 + 58 * 60 + 16 + 45 * 60 + 12) / 3600)
    assert hours["Luhansk"] == 0.0 and len(hours) == 25 and hours.max() == pytest.approx(9.768, abs=1e-3)
    kyiv_day = alert_hours(official.frames["alerts"], "2022-11-15", tz="Europe/Kyiv")
    assert kyiv_day["Kyiv City"] == pytest.approx(4.3056, abs=1e-3)


def test_alert_questions_on_tiny_intervals():
    alerts = pd.DataFrame({
        "admin1": ["Sumy", "Sumy", "Sumy", "Odesa", "Lviv"],
        "level": ["oblast", "oblast", "raion", "oblast", "oblast"],
        "started_at": [utc("2024-01-01 22:00"), utc("2024-01-02 01:00"), utc("2024-01-02 05:00"),
                       utc("2024-01-02 10:00"), utc("2024-01-02 23:30")],
        "finished_at": [utc("2024-01-02 02:00"), utc("2024-01-02 03:00"), utc("2024-01-02 06:00"),
                        utc("2024-01-02 10:30"), utc("2024-01-03 01:00")],
        "source": ["a", "b", "a", "a", "a"],
    })
    hours = alert_hours(alerts, "2024-01-02")
    assert hours.to_dict() == {"Lviv": 0.5, "Odesa": 0.5, "Sumy": 3.0}  # overlap counted once, clipped at 00:00
    assert alert_hours(alerts, "2024-01-02", levels=None)["Sumy"] == 4.0
    assert alert_hours(alerts, "2024-01-02", source="b")["Sumy"] == 2.0
    assert alerts_at(alerts, "2024-01-02 02:00") == {"Sumy"}
    assert alerts_at(alerts, "2024-01-02 03:00") == set()  # an alert ends at finished_at
    assert alerts_at(alerts, "2024-01-02 10:00") == {"Odesa"}  # and starts at started_at


def test_bad_alert_rows_are_rejected(tmp_path):
    path = tmp_path / "official.csv"
    path.write_text("\n".join([
        "oblast,raion,hromada,level,started_at,finished_at,source",
        "Kyiv City,,,oblast,2024-01-01 10:00:00+02:00,2024-01-01 11:00:00+02:00,official",
        "Atlantis oblast,,,oblast,2024-01-01 10:00:00+00:00,2024-01-01 11:00:00+00:00,official",
        "Lvivska oblast,,,oblast,yesterday,2024-01-01 11:00:00+00:00,official",
        "Lvivska oblast,,,oblast,2024-01-01 12:00:00+00:00,2024-01-01 11:00:00+00:00,official",
        "Lvivska oblast,,,oblast,2024-01-01 10:00:00+00:00,,official",
        "Lvivska oblast,,,street,2024-01-01 10:00:00+00:00,2024-01-01 11:00:00+00:00,official",
    ]) + "\n", "utf-8")
    result = run("alerts", path)
    alerts = result.frames["alerts"]
    assert alerts["started_at"].tolist() == [utc("2024-01-01 08:00")]  # +02:00 converted to UTC
    assert sorted((r.row, r.field, r.reason) for r in result.rejects) == [
        (2, "oblast", "unknown oblast"), (3, "started_at", "unparseable or missing time"),
        (4, "finished_at", "ends before it starts"), (5, "finished_at", "unparseable or missing time"),
        (6, "level", "must be one of oblast, raion, hromada")]


def test_unknown_alerts_file_is_a_data_error(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(importers.DataError, match="air-raid alerts dataset"):
        run("alerts", path)


def test_alerts_import_is_idempotent(volunteer, tmp_path):
    importer = importers.get("alerts")
    store.merge(tmp_path, importer, [volunteer])
    store.merge(tmp_path, importer, [volunteer])
    back = pd.read_parquet(tmp_path / "alerts.parquet")
    assert len(back) == 28138 and str(back["started_at"].dt.tz) == "UTC"
    assert alerts_at(back, "2022-11-15T14:00:00Z") == alerts_at(volunteer.frames["alerts"], "2022-11-15T14:00:00Z")
