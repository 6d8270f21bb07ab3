"""GeoNames towns and Wikipedia town-control evidence, imported from the real extracts."""

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo import importers, store
from geo.importers.base import Options
from geo.importers.geonames import transliterate_uk, ukrainian_name
from geo.importers.wikipedia_towns import status_of

ROOT = Path(__file__).resolve().parent.parent
WIKI = "wikipedia-city-control-vi-enne"
LAST_SCRAPE = "Cities_and_towns_during_the_Russo-Ukrainian_War_latest__commit20240715T0624Z.csv"


def run(source: str, path: Path):
    result = importers.run_file(importers.get(source), path, Options())
    assert result.read == result.stored + len(result.rejects)
    return result


@pytest.fixture(scope="module")
def geonames(shared_data):
    return run("geonames", shared_data / "geonames-cities15000" / "cities15000_UA.txt")


@pytest.fixture(scope="module")
def last_scrape(shared_data):
    return run("wikipedia-towns", shared_data / WIKI / LAST_SCRAPE)


# ---- GeoNames ------------------------------------------------------------------------------
def test_geonames_stores_all_272_towns(geonames):
    towns = geonames.frames["towns"]
    assert (geonames.read, len(towns), geonames.rejects) == (272, 272, [])
    assert towns["town_id"].str.startswith("gn:").all() and towns["town_id"].is_unique
    assert towns["admin1"].notna().all() and towns["admin1"].nunique() == 27
    assert towns["kind"].value_counts().to_dict() == {"town": 175, "city": 71, "oblast_centre": 25, "capital": 1}
    assert (towns["source"] == "geonames").all() and towns.crs == "EPSG:4326"


def test_geonames_known_towns(geonames):
    towns = geonames.frames["towns"].set_index("name")
    assert towns.loc["Melitopol", "admin1"] == "Zaporizhzhia"
    assert towns.loc["Sevastopol", ["admin1", "kind"]].tolist() == ["Sevastopol", "oblast_centre"]
    assert towns.loc["Kyiv", ["town_id", "admin1", "kind", "population"]].tolist() == [
        "gn:703448", "Kyiv City", "capital", 2797553]
    assert towns.loc["Simferopol", ["admin1", "kind"]].tolist() == ["Crimea", "oblast_centre"]  # PPLA2 in GeoNames
    assert towns.loc["Druzhkivka", "admin1"] == "Donetsk"  # UA.05, not ISO UA-05 (Vinnytsia)
    assert (towns.loc["Kyiv"].geometry.x, towns.loc["Kyiv"].geometry.y) == (30.5238, 50.45466)


def test_geonames_ukrainian_names(geonames):
    name_uk = geonames.frames["towns"].set_index("name")["name_uk"]
    assert name_uk[["Kyiv", "Donetsk", "Kerch", "Melitopol", "Sevastopol", "Kramatorsk"]].tolist() == [
        "Київ", "Донецьк", "Керч", "Мелітополь", "Севастополь", "Краматорськ"]
    assert name_uk.notna().sum() >= 270


def test_ukrainian_name_prefers_the_ukrainian_spelling():
    assert transliterate_uk("Запоріжжя") == "zaporizhzhia" and transliterate_uk("Юрівка") == "yurivka"
    assert ukrainian_name("Luhansk", "Lugansk,Луганск,Луганськ,Луганьск") == "Луганськ"
    assert ukrainian_name("Lviv", "Lwow,Львов,Львів,Lemberg") == "Львів"
    assert ukrainian_name("Nowhere", "Nirgendwo,Nulle part") is None


def test_region_info_is_a_lookup_not_rows(shared_data):
    result = run("geonames", shared_data / "geonames-cities15000" / "regionInfo_UA.tsv")
    assert (result.read, result.stored, result.rejects) == (0, 0, [])
    files = importers.get("geonames").files([shared_data / "geonames-cities15000"])
    assert [f.name for f in files] == ["cities15000_UA.txt", "regionInfo_UA.tsv"]


def test_geonames_bad_rows_are_rejected_with_a_reason(tmp_path):
    good = "\t".join(["703448", "Kyiv", "Kyiv", "Київ", "50.45466", "30.5238", "P", "PPLC", "UA", "", "12", "", "",
                      "", "2797553", "", "187", "Europe/Kyiv", "2025-10-25"])
    rows = [
        good,
        good.replace("50.45466", "fifty").replace("703448", "1"),
        "2\tShort\tShort\t\t50\t30",
        good.replace("\tUA\t", "\tRU\t").replace("703448", "3"),
        good.replace("30.5238", "3000").replace("703448", "4"),
        good,
        "",
    ]
    path = tmp_path / "cities_bad.txt"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    result = run("geonames", path)
    assert (result.read, len(result.frames["towns"])) == (7, 1)
    assert sorted((r.row, r.field, r.reason) for r in result.rejects) == [
        (2, "latitude", "not a number"),
        (3, "columns", "expected 19 tab-separated columns"),  # short line
        (4, "country_code", "outside the theatre (only UA rows are towns here)"),
        (5, "geometry", "coordinates outside lon -180..180 / lat -90..90 or not finite "
                        "(projected coordinates or swapped lon/lat?)"),
        (6, "town_id", "duplicate id (first occurrence kept)"),
        (7, "columns", "expected 19 tab-separated columns"),  # blank line
    ]


def test_geonames_import_is_idempotent(geonames, tmp_path):
    importer = importers.get("geonames")
    store.merge(tmp_path, importer, [geonames])
    store.merge(tmp_path, importer, [geonames])
    assert len(gpd.read_parquet(tmp_path / "towns.parquet")) == 272


def test_cli_imports_geonames(shared_data, tmp_path):
    out = tmp_path / "store"
    proc = subprocess.run([sys.executable, "-m", "geo", "import", "geonames", str(shared_data / "geonames-cities15000"),
                           "--into", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert {"towns.parquet", "atlas.json", "rejects.csv"} <= {p.name for p in out.iterdir()}
    assert len(gpd.read_parquet(out / "towns.parquet")) == 272
    assert "272 rows read, 272 stored, 0 rejected" in proc.stderr


# ---- Wikipedia -----------------------------------------------------------------------------
def test_every_wikipedia_scrape_imports_without_loss(shared_data):
    importer = importers.get("wikipedia-towns")
    files = importer.files([shared_data / WIKI])
    counts = {f.name[-24:-4]: (r.read, r.stored, len(r.rejects))
              for f in files for r in [run("wikipedia-towns", f)]}
    assert len(files) == 13
    assert counts["ukraineCities"] == (0, 0, 0)  # the coordinate lookup holds no evidence rows
    assert counts["commit20220305T2330Z"] == (170, 170, 0)
    assert counts["commit20220515T2137Z"] == (356, 338, 18)  # 18 rows repeated verbatim
    assert counts["commit20240715T0624Z"] == (524, 523, 1)


def test_wikipedia_evidence_of_known_towns(last_scrape):
    ev = last_scrape.frames["town_evidence"]
    assert set(ev["status"]) <= {"free", "liberated", "occupied", "occupied_before", "contested"}
    assert ev["status"].value_counts().to_dict() == {
        "free": 238, "occupied": 137, "liberated": 97, "contested": 28, "occupied_before": 23}
    one = ev.drop_duplicates("name", keep=False).set_index("name")
    assert one.loc["Alchevsk", ["town_id", "admin1", "status", "label"]].tolist() == [
        "gn:713716", "Luhansk", "occupied_before", "Russia"]
    assert one.loc["Avdiivka", ["town_id", "admin1", "status"]].tolist() == ["gn:713122", "Donetsk", "occupied"]
    assert one.loc["Avdiivka", "date"] == pd.Timestamp("2024-02-17", tz="UTC")
    assert one.loc["Kupiansk", "status"] == "liberated"  # "Recaptured by Ukraine by 10 September 2022"
    assert one.loc["Kherson", "status"] == "liberated"  # "Liberation of Kherson"
    assert one.loc["Melitopol", ["town_id", "admin1"]].tolist() == ["gn:701404", "Zaporizhzhia"]
    assert (ev["scraped_at"] == pd.Timestamp("2024-07-15 00:16", tz="UTC")).all()
    assert (ev["source"] == "wikipedia").all()


def test_wikipedia_same_name_towns_are_not_confused(last_scrape):
    ev = last_scrape.frames["town_evidence"]
    kost = ev[ev["name"] == "Kostiantynivka"].set_index("population")["town_id"]
    assert kost[68792] == "gn:705104" and pd.isna(kost[1293])  # a village of 1,293 is not the city


def test_wikipedia_quirks(shared_data):
    early = run("wikipedia-towns", shared_data / WIKI /
                "Cities_and_towns_during_the_Russo-Ukrainian_War_latest__commit20220305T2330Z.csv")
    ev = early.frames["town_evidence"]
    assert (ev["date_basis"] == "scraped").all() and (ev["date"] == pd.Timestamp("2022-03-05", tz="UTC")).all()
    assert ev.set_index("name").loc["Bile", "note"] == "coordinates outside Ukraine in the source (dropped)"
    assert ev.set_index("name").loc["Hostomel Airport", "note"] == "coordinates from ukraineCities.csv"
    nov = run("wikipedia-towns", shared_data / WIKI /
              "Cities_and_towns_during_the_Russo-Ukrainian_War_latest__commit20221115T1615Z.csv")
    kolodiazi = nov.frames["town_evidence"].set_index("name").loc["Kolodiazi"]
    assert kolodiazi["note"] == "Lat/Lon swapped in the source"
    assert (kolodiazi.geometry.x, kolodiazi.geometry.y) == (37.8875794, 49.0860316)


def test_status_mapping():
    assert status_of("Ukraine", "", None) == "free"
    assert status_of("Ukraine", "Captured by  Donetsk PR in mid-April 2014. Recaptured by  Ukraine 5 July 2014.",
                     None) == "free"
    assert status_of("Ukraine", "Captured by  Russia 27 February 2022. Recaptured by  Ukraine 10 September 2022.",
                     None) == "liberated"
    assert status_of("Ukraine", "Recaptured by Ukraine 5 October 2022.", None) == "liberated"
    assert status_of("Ukraine", "Сaptured by Russia in 2022.", None) == "liberated"  # Cyrillic С in the source
    assert status_of("Russia", "Captured by  Russia 14 March 2022.", None) == "occupied"
    # Marinka: retaken by Ukraine in 2014, taken by Russia in 2023 (not written as "captured")
    assert status_of("Russia", "Captured by  Donetsk PR in mid-April 2014. Recaptured by  Ukraine on 5 August 2014. "
                     "Contested by Russia between around spring 2022 and 24 December 2023.", None) == "occupied"
    assert status_of("Russia", "Captured by  Donetsk PR in mid-April 2014. Recaptured by  Ukraine 29 July 2014. "
                     "Recaptured by  Donetsk PR 18 February 2015.", None) == "occupied_before"
    assert status_of("Luhansk PR", "", pd.Timestamp("2014-05-02", tz="UTC")) == "occupied_before"
    assert status_of("Gray zone", "", None) == "contested" and status_of("Truce", "", None) == "contested"
    assert status_of("Narnia", "", None) is None


def test_wikipedia_bad_rows_are_rejected(tmp_path):
    header = '"Name","Population","Held by","source","As of","More information","sourceLink","update","Lat","Lon"'
    rows = [
        '"Bakhmut","72310","Russia","","20 May 2023","","","15 July 2024 00h16 UTC","48.5956","38.0003"',
        '"Atlantis","1","Poseidon","","1 Jan 2024","","","15 July 2024 00h16 UTC","48","38"',
        '"Nowhere","1","Ukraine","","sometime","","","15 July 2024 00h16 UTC","48","38"',
        '"","1","Ukraine","","1 Jan 2024","","","15 July 2024 00h16 UTC","48","38"',
    ]
    path = tmp_path / "scrape.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    result = run("wikipedia-towns", path)
    assert result.frames["town_evidence"]["town_id"].tolist() == ["gn:713174"]
    assert sorted((r.row, r.field, r.reason) for r in result.rejects) == [
        (2, "Held by", "unknown control value"), (3, "As of", "unreadable date"), (4, "Name", "town name is missing")]


def test_wikipedia_import_is_idempotent(last_scrape, tmp_path):
    importer = importers.get("wikipedia-towns")
    store.merge(tmp_path, importer, [last_scrape])
    store.merge(tmp_path, importer, [last_scrape])
    back = gpd.read_parquet(tmp_path / "town_evidence.parquet")
    assert len(back) == 523 and back["date"].dt.tz is not None
