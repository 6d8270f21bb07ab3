"""Event importers (cir, bellingcat, ucdp, missiles) on the real extracts and on tiny bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from geo import importers, store
from geo.admin import admin1_point
from geo.atlas import Atlas
from geo.importers import events_common as ev
from geo.importers.base import Options
from geo.importers.missiles import kyiv_times

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "cir": "cir-eyes-on-russia-events/events.csv",
    "bellingcat": "bellingcat-civilian-harm-sdspieg/bellingcat_incidents.json",
    "ucdp": "ucdp-ged-ukraine-peacerep/UCDP-Ukraine.csv",
    "missiles": "missile-attacks-piterfm/missile_attacks_daily.csv",
    "missiles-lookup": "missile-attacks-piterfm/missiles_and_uav.csv",
}


def run(source: str, path: Path):
    return importers.run_file(importers.get(source), path, Options())


@pytest.fixture(scope="module")
def results(shared_data):
    """Every shared file of the four sources, imported once for the module."""
    return {key: run(key.split("-")[0], shared_data / rel) for key, rel in FILES.items()}


def by_id(frame: pd.DataFrame, event_id: str) -> pd.Series:
    rows = frame[frame["event_id"] == event_id]
    assert len(rows) == 1, event_id
    return rows.iloc[0]


def reasons(result) -> Counter:
    return Counter(r.reason for r in result.rejects)


# ---- nothing lost, plausible figures ------------------------------------------------------
def test_every_shared_file_loses_no_row(results):
    figures = {k: (r.read, {n: len(f) for n, f in r.frames.items()}, len(r.rejects)) for k, r in results.items()}
    assert figures == {
        "cir": (3439, {"strikes": 3356}, 83),
        "bellingcat": (1294, {"strikes": 1283}, 11),
        "ucdp": (1908, {"strikes": 1894}, 14),
        "missiles": (1832, {"missile_waves": 1408, "strikes": 424}, 0),
        "missiles-lookup": (48, {"weapons": 48}, 0),
    }
    for r in results.values():
        assert r.read == r.stored + len(r.rejects)


def test_reject_reasons_of_the_real_files(results):
    assert reasons(results["cir"]) == {"outside the theatre (lon 22.0..40.5, lat 44.0..52.5)": 82,
                                       "duplicate row (first occurrence kept)": 1}
    assert reasons(results["bellingcat"]) == {"outside the theatre (lon 22.0..40.5, lat 44.0..52.5)": 11}
    assert reasons(results["ucdp"]) == {"no coordinates and no known oblast": 14}  # where_prec 6, no adm_1


def test_counts_per_kind(results):
    kinds = {k: results[k].frames["strikes"]["kind"].value_counts().to_dict() for k in
             ("cir", "bellingcat", "ucdp", "missiles")}
    assert kinds == {
        "cir": {"other": 2312, "artillery": 657, "ground": 174, "missile": 136, "drone": 43, "airstrike": 34},
        "bellingcat": {"other": 800, "artillery": 270, "missile": 77, "drone": 71, "airstrike": 49, "ground": 11,
                       "glide_bomb": 5},
        "ucdp": {"ground": 1577, "artillery": 279, "missile": 18, "airstrike": 14, "drone": 3, "other": 3},
        "missiles": {"missile": 252, "drone": 170, "glide_bomb": 2},
    }
    waves = results["missiles"].frames["missile_waves"]["kind"].value_counts().to_dict()
    assert waves == {"drone": 1044, "missile": 363, "glide_bomb": 1}


def test_points_are_inside_the_theatre(results):
    for key in ("cir", "bellingcat", "ucdp", "missiles"):
        s = results[key].frames["strikes"]
        assert s.geometry.x.between(22.0, 40.5).all() and s.geometry.y.between(44.0, 52.5).all(), key
        assert s["event_id"].is_unique and s["event_id"].str.startswith(f"{key}:").all()


# ---- known events -------------------------------------------------------------------------
def test_cir_known_event(results):
    row = by_id(results["cir"].frames["strikes"], "cir:UW1728")
    assert row["time"] == pd.Timestamp("2022-03-06", tz="UTC") and row["time_precision"] == "day"
    assert (row["kind"], row["weapon"], row["admin1"], row["place"]) == ("missile", "9M79", "Chernihiv", "Desnyanka")
    assert (round(row.geometry.x, 4), round(row.geometry.y, 5)) == (31.2149, 51.56717)
    assert row["location_precision"] == "exact" and row["category"] == "Munitions"


def test_cir_empty_date_comes_from_the_title(results):
    row = by_id(results["cir"].frames["strikes"], "cir:UW0331")  # date empty, title "17/02/2022 Shelling audible"
    assert row["time"] == pd.Timestamp("2022-02-17", tz="UTC") and row["kind"] == "artillery"


def test_bellingcat_known_event(results):
    s = results["bellingcat"].frames["strikes"]
    row = s[s["description"].str.startswith("Two people reported killed after an attack by an armoured")].iloc[0]
    assert row["time"] == pd.Timestamp("2022-09-17", tz="UTC")
    assert (row["kind"], row["admin1"], row["killed"], row["place"]) == ("ground", "Kharkiv", 2, "Kharkiv region")
    assert (row.geometry.x, row.geometry.y) == (36.392453, 50.298614)
    assert row["source_url"] == "https://t.me/c/1006836030/59141"


def test_bellingcat_hidden_place_falls_back_to_the_oblast(results):
    s = results["bellingcat"].frames["strikes"]
    row = s[s["location_precision"] == "admin1"].iloc[0]  # (0.000687, 0.000742) placeholder, srcHidden
    assert (row["place"], row["admin1"]) == ("Kramatorsk (Donetsk region)", "Donetsk")
    assert (row.geometry.x, row.geometry.y) == admin1_point("Donetsk")
    assert pd.isna(row["source_url"]) and row["source_urls"] == "srcHidden"
    assert s["source_url"].isna().sum() == 49  # 48 srcHidden + 1 with no sources


def test_ucdp_known_event(results):
    row = by_id(results["ucdp"].frames["strikes"], "ucdp:153433")
    assert row["time"] == pd.Timestamp("2014-05-03", tz="UTC")
    assert (row["place"], row["admin1"], row["killed"], row["location_precision"]) == \
        ("Kramatorsk town", "Donetsk", 1, "exact")
    assert (row.geometry.x, row.geometry.y) == (37.533333, 48.716667)


def test_ucdp_cp1252_text_is_decoded(results, shared_data, tmp_path):
    s = results["ucdp"].frames["strikes"]
    row = by_id(s, "ucdp:153151")
    assert row["description"].endswith("Casualty toll climbs in Ukraine\u2019s southeast as bloody clashes continue")
    assert s["description"].str.contains("\u2019").sum() == 91
    assert not s["description"].str.contains("\ufffd|â€", regex=True).any()
    assert by_id(s, "ucdp:211929")["place"] == "Pioners'ke village"
    # the same file saved as UTF-8 imports to the same rows
    utf8 = tmp_path / "UCDP-Ukraine.csv"
    utf8.write_text((shared_data / FILES["ucdp"]).read_bytes().decode("cp1252"), "utf-8")
    again = run("ucdp", utf8).frames["strikes"]
    cols = ["geometry", "import_file"]
    pd.testing.assert_frame_equal(again.drop(columns=cols), s.drop(columns=cols))


def test_missiles_single_oblast_waves_are_admin1_points(results):
    s = results["missiles"].frames["strikes"]
    assert (s["location_precision"] == "admin1").all()
    assert s["launched"].notna().all() and int(s["launched"].sum()) == 2472
    row = s[(s["weapon"] == "X-22 and X-32") & (s["admin1"] == "Kyiv")].iloc[0]  # 2026-01-23 18:00 Kyiv (EET)
    assert row["time"] == pd.Timestamp("2026-01-23 16:00", tz="UTC") and row["time_precision"] == "minute"
    assert (row["kind"], row["launched"], row["destroyed"]) == ("missile", 12, 9)
    assert row["weapon_category"] == "cruise missile"
    assert (row.geometry.x, row.geometry.y) == admin1_point("Kyiv")


def test_missiles_country_wide_waves_are_kept_without_a_point(results):
    waves = results["missiles"].frames["missile_waves"]
    assert "geometry" not in waves.columns
    assert waves["target"].value_counts().head(3).to_dict() == {"Ukraine": 749, "south": 519, "east": 60}
    first = waves.loc[1]  # data row 1: 2026-03-31 18:00 Kyiv summer time, 339 Shahed launched
    assert first["time"] == pd.Timestamp("2026-03-31 15:00", tz="UTC")
    assert (first["kind"], first["launched"], first["destroyed"]) == ("drone", 339, 298)
    assert waves[waves["target"] == "Odesa oblast and Mykolaiv oblast"]["regions"].iloc[0] == "Odesa; Mykolaiv"
    assert first["source_url"].startswith("https://www.facebook.com/kpszsu/posts/")


def test_missiles_kind_does_not_depend_on_the_lookup(results, shared_data, tmp_path):
    alone = tmp_path / "missile_attacks_daily.csv"
    alone.write_bytes((shared_data / FILES["missiles"]).read_bytes())
    without = run("missiles", alone)
    for name in ("strikes", "missile_waves"):
        assert without.frames[name]["kind"].tolist() == results["missiles"].frames[name]["kind"].tolist()
        assert without.frames[name]["weapon_category"].isna().all()


def test_weapon_lookup_imports_as_a_table(results):
    weapons = results["missiles-lookup"].frames["weapons"].set_index("model")
    assert weapons.loc["Shahed-136/131", "kind"] == "drone" and weapons.loc["KAB", "kind"] == "glide_bomb"
    assert weapons.loc["X-47 Kinzhal", "category"] == "ballistic missile"


# ---- store, CLI ---------------------------------------------------------------------------
def test_merge_twice_adds_nothing(results, tmp_path):
    importer = importers.get("bellingcat")
    store.merge(tmp_path / "s", importer, [results["bellingcat"]])
    store.merge(tmp_path / "s", importer, [results["bellingcat"]])
    atlas = Atlas.load(tmp_path / "s")
    assert len(atlas.strikes) == 1283
    assert len(pd.read_csv(tmp_path / "s" / store.REJECTS)) == 11


def test_cli_import_cir(shared_data, tmp_path):
    out = tmp_path / "store"
    proc = subprocess.run([sys.executable, "-m", "geo", "import", "cir", str(shared_data / FILES["cir"]),
                           "--into", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    strikes = pd.read_parquet(out / "strikes.parquet")
    rejects = pd.read_csv(out / "rejects.csv")
    assert len(strikes) + len(rejects) == 3439 and len(rejects) == 83
    manifest = json.loads((out / "atlas.json").read_text())
    assert manifest["attribution"]["cir"] == "Centre for Information Resilience, Eyes on Russia"


# ---- bad values in tiny files -------------------------------------------------------------
CIR_HEADER = ("entry,date,event_group,title,brief description,lat,lon,country,province,district,town/city,"
              "arms/munition,violence level,link,geolocation\n")


def test_cir_bad_rows_are_rejected_with_reasons(tmp_path):
    rows = [
        "A1,2022-03-01,Civilian Casualty,01/03/2022 x,Two civilians killed by shelling,50.0,36.2,Ukraine,"
        "Kharkiv Oblast,,Kharkiv,,2,https://x.org/1,",
        "A2,2022-03-01,Civilian Casualty,01/03/2022 x,swapped,36.2,50.0,Ukraine,,,,,2,,",
        "A3,2022-03-01,Other,01/03/2022 x,Moscow,55.7,37.6,Russia,,,,,1,,",
        "A4,2022-13-45,Other,no date here,bad date,50.0,36.2,Ukraine,,,,,1,,",
        "A5,2022-03-01,Other,01/03/2022 x,text coordinates,fifty,36.2,Ukraine,,,,,1,,",
        "A6,2022-03-01,Other,01/03/2022 x,no place,,,Ukraine,,,,,1,,",
        "A7,2022-03-01,Other,01/03/2022 x,no place but oblast,,,Ukraine,Donestk Oblast,,,,1,,",
    ]
    path = tmp_path / "events.csv"
    path.write_text(CIR_HEADER + "\n".join(rows) + "\n", "utf-8")
    result = run("cir", path)
    assert {(r.row, r.reason) for r in result.rejects} == {
        (2, "lon/lat swapped?"),
        (3, "outside the theatre (lon 22.0..40.5, lat 44.0..52.5)"),
        (4, "unparseable or missing date (and no DD/MM/YYYY date in the title)"),
        (5, "coordinates are not numbers"),
        (6, "no coordinates and no known oblast"),
    }
    s = result.frames["strikes"].set_index("event_id")
    assert (s.loc["cir:A1", "kind"], s.loc["cir:A1", "killed"], s.loc["cir:A1", "admin1"]) == \
        ("artillery", 2, "Kharkiv")
    assert s.loc["cir:A7", "admin1"] == "Donetsk" and s.loc["cir:A7", "location_precision"] == "admin1"


def test_bellingcat_bad_items(tmp_path):
    items = [
        {"date": "2023-01-01", "location": "Odesa", "description": "Drone strike", "sources": ["srcHidden", "https://a"],
         "latitude": 46.48, "longitude": 30.73},
        {"date": "2023-01-01", "location": "x", "description": "swapped", "sources": [], "latitude": 30.73,
         "longitude": 46.48},
        {"date": "01.01.2023", "location": "x", "description": "bad date", "sources": [], "latitude": 46.48,
         "longitude": 30.73},
        {"date": "2023-01-01", "location": None, "description": "hidden", "sources": [], "latitude": 0.0,
         "longitude": 0.0},
        "not an object",
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps(items), "utf-8")
    result = run("bellingcat", path)
    assert {(r.row, r.reason) for r in result.rejects} == {
        (1, "lon/lat swapped?"), (2, "unparseable or missing date"), (3, "no coordinates and no known oblast"),
        (4, "not a JSON object"),
    }
    row = result.frames["strikes"].iloc[0]
    assert (row["kind"], row["source_url"], row["admin1"]) == ("drone", "https://a", "Odesa")


def test_ucdp_negative_deaths_and_swapped_dates(shared_data, tmp_path):
    df = pd.read_csv(shared_data / FILES["ucdp"], dtype=str, keep_default_na=False, encoding="cp1252").head(3)
    df.loc[0, "best"] = "-3"
    df.loc[1, "date_start"] = "22/1/2014 12:00:00 AM"  # day-first: not a month-first date
    path = tmp_path / "u.csv"
    df.to_csv(path, index=False)
    result = run("ucdp", path)
    assert {(r.row, r.field, r.reason) for r in result.rejects} == {
        (1, "best", "negative count"), (2, "date_start", "unparseable or missing date")}
    assert len(result.frames["strikes"]) == 1


def test_missiles_bad_rows(shared_data, tmp_path):
    df = pd.read_csv(shared_data / FILES["missiles"], dtype=str, keep_default_na=False).head(4)
    df.loc[0, "launched"] = "-5"
    df.loc[1, "time_start"] = "yesterday"
    df.loc[2, "destroyed"] = "1000"
    path = tmp_path / "missile_attacks_daily.csv"
    df.to_csv(path, index=False)
    result = run("missiles", path)
    assert {(r.row, r.reason) for r in result.rejects} == {
        (1, "negative count"), (2, "unparseable or missing date/time"), (3, "more destroyed than launched")}
    assert result.read == result.stored + 3


# ---- helpers ------------------------------------------------------------------------------
def test_kyiv_local_times_to_utc():
    times, precision = kyiv_times(pd.Series(["2024-01-15 18:00", "2024-07-15 18:00", "2024-07-15",
                                             "2024-03-31 03:30", "2024-10-27 03:30", "2023-05-16 3:30", "bad"]))
    assert times.tolist()[:6] == [pd.Timestamp(t, tz="UTC") for t in (
        "2024-01-15 16:00", "2024-07-15 15:00", "2024-07-15 00:00", "2024-03-31 01:00", "2024-10-27 00:30",
        "2023-05-16 00:30")]
    assert pd.isna(times.iloc[6])
    assert precision.tolist()[:3] == ["minute", "minute", "day"]


@pytest.mark.parametrize("text,kind", [
    ("Drone footage of destruction in Mariupol", None),
    ("Residential building damaged after a Shahed drone attack", "drone"),
    ("A moving Russian BMP IFV was struck by a Stugna-P ATGM", "ground"),
    ("Guided aerial bomb hit a factory (KAB-500)", "glide_bomb"),
    ("Iskander missile strike on the station", "missile"),
    ("Aftermarth of Airstrike on Security Service Office", "airstrike"),
    ("Cluster munition strike in residential area.", "artillery"),
    ("Civilian killed in vehicle after gunfire", "ground"),
    ("Damage to residential buildings", None),
])
def test_classify_kind(text, kind):
    assert ev.classify_kind(text) == kind


@pytest.mark.parametrize("text,expected", [
    ("2 dead, 9 injured after shelling in Nikopol", (2, 9)),
    ("Report notes 20 people wounded and one killed.", (1, 20)),
    ("Twenty-one people were reportedly injured.", (None, 21)),
    ("A woman reportedly killed after a strike", (1, None)),
    ("reportedly killing 9 people and injuring 19 others", (9, 19)),
    ("No casualties reported", (0, 0)),
    ("Three members of a family of four reportedly killed", (None, None)),  # ambiguous: not guessed
    ("Damaged school", (None, None)),
])
def test_parse_casualties(text, expected):
    assert ev.parse_casualties(text) == expected


@pytest.mark.parametrize("name,canon", [
    ("Donestk Oblast", "Donetsk"), ("Cherson Oblast", "Kherson"), ("Luhansk Oblast, Ukraine", "Luhansk"),
    ("Kiev Special Republican city", "Kyiv City"), ("Mykolayiv oblast", "Mykolaiv"), ("Lutsk oblast", "Volyn"),
    ("Belgorod Oblast", None), ("Kursk Oblast", None), ("Gomel", None),
])
def test_resolve_admin1(name, canon):
    assert ev.resolve_admin1(name) == canon


def test_empty_inputs_import_nothing(tmp_path):
    (tmp_path / "b.json").write_text("[]", "utf-8")
    (tmp_path / "events.csv").write_text(CIR_HEADER, "utf-8")
    for source, name in (("bellingcat", "b.json"), ("cir", "events.csv")):
        result = run(source, tmp_path / name)
        assert (result.read, result.stored, result.rejects) == (0, 0, [])
