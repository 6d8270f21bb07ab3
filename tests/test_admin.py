"""The admin-1 crosswalk: every unit's codes and names, and every variant found in the real files."""

import csv

import geopandas as gpd
import pandas as pd
import pytest

from geo.admin import THEATRE, admin1_point, canonical_admin1, iso_code
from geo.importers.boundaries import unit_of

UNITS = sorted(THEATRE.ADMIN1)


def unmapped(names) -> list[str]:
    return sorted({str(n) for n in names if canonical_admin1(n) is None})


def test_the_four_spellings_of_zaporizhzhia_meet():
    names = ["Zaporizhia Oblast", "Zaporizka oblast", "UA-23", "UA.26", "Запорізька область", "zaporizhzhia"]
    assert {canonical_admin1(n) for n in names} == {"Zaporizhzhia"}


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_meets_by_name_iso_and_geonames_code(unit):
    iso, gn, lon, lat, variants = THEATRE.ADMIN1[unit]
    assert canonical_admin1(unit) == unit
    assert canonical_admin1(iso) == unit, iso
    assert canonical_admin1(gn) == unit, gn
    assert unmapped(variants) == []
    assert [canonical_admin1(v) for v in variants] == [unit] * len(variants)
    assert iso_code(unit) == iso and admin1_point(unit) == (lon, lat)


def test_iso_and_geonames_codes_do_not_collide():
    # 'UA-05' (ISO) is Vinnytsia, 'UA.05' (GeoNames) is Donetsk: the separator matters.
    assert canonical_admin1("UA-05") == "Vinnytsia" and canonical_admin1("UA.05") == "Donetsk"
    assert canonical_admin1("UA-26") == "Ivano-Frankivsk" and canonical_admin1("UA.26") == "Zaporizhzhia"
    assert canonical_admin1("") is None and canonical_admin1(None) is None and canonical_admin1("Atlantis") is None


def test_every_geoboundaries_adm1_unit_maps(shared_data):
    adm1 = gpd.read_file(shared_data / "geoboundaries-ukr" / "geoBoundaries-UKR-ADM1_simplified.geojson")
    assert unmapped(adm1["shapeName"]) == [] and unmapped(adm1["shapeISO"]) == []
    units = unit_of(adm1["shapeISO"].astype("string"), adm1["shapeName"].astype("string"))
    assert sorted(units) == UNITS
    by_name = dict(zip(adm1["shapeName"], units, strict=True))
    # geoBoundaries calls Kyiv city just "Kyiv": its ISO code (UA-30) decides, not the name.
    assert by_name["Kyiv"] == "Kyiv City" and canonical_admin1("Kyiv") == "Kyiv"
    assert {n: u for n, u in by_name.items() if canonical_admin1(n) != u} == {"Kyiv": "Kyiv City"}
    assert by_name["Autonomous Republic of Crimea"] == "Crimea" and by_name["Sevastopol"] == "Sevastopol"


def test_every_geonames_region_maps(shared_data):
    with (shared_data / "geonames-cities15000" / "regionInfo_UA.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    assert len(rows) == 27
    assert unmapped(r[1] for r in rows) == [] and unmapped(r[2] for r in rows) == []
    for code, name, ascii_name, _id in rows:
        assert canonical_admin1(code) == canonical_admin1(name) == canonical_admin1(ascii_name), (code, name)
    assert sorted(canonical_admin1(r[0]) for r in rows) == UNITS


def test_every_alerts_oblast_maps(shared_data):
    folder = shared_data / "air-raid-alerts-vadimkin"
    official = pd.read_csv(folder / "official_data_en.csv", usecols=["oblast"], dtype=str)["oblast"]
    volunteer = pd.read_csv(folder / "volunteer_data_en.csv", usecols=["region"], dtype=str)["region"]
    # the one row with a raion in the oblast column (columns swapped; the importer puts it right)
    assert unmapped(official.unique()) == ["Lubenskyi raion"]
    assert unmapped(volunteer.unique()) == []
    assert len({canonical_admin1(n) for n in volunteer.unique()}) == 25  # no Crimea, no Sevastopol
