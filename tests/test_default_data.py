"""The embedded default dataset: complete, consistent and plausible."""

from __future__ import annotations

import shapely

from geo import analysis
from geo.admin import THEATRE

REQUIRED_DATES = {
    "2022-02-23", "2022-03-21", "2022-04-06", "2022-09-11", "2022-11-11", "2023-05-20", "2024-02-17",
    "2024-08-20", "2024-10-02", "2024-10-30", "2025-01-06", "2025-11-27",
}


def held_share(zones) -> float:
    return analysis.share_pct(analysis.status_areas(zones)["held"])


def test_at_least_30_snapshots_with_the_required_events(default_atlas):
    dates = {t.date().isoformat() for t in default_atlas.snapshots("sample")}
    assert len(dates) >= 30
    assert REQUIRED_DATES <= dates
    assert default_atlas.dates[0].isoformat() == "2022-02-23"
    assert default_atlas.dates[1].isoformat() == "2025-11-27"


def test_held_share_is_plausible(default_atlas):
    a = default_atlas
    assert abs(held_share(a.zones_at("2022-02-23", "sample")) - 7.0) <= 1.0
    assert set(a.zones_at("2022-02-23", "sample")["status"]) == {"occupied_before"}
    peak = max(held_share(a.zones_at(d, "sample")) for d in ("2022-03-05", "2022-03-21"))
    assert 20 <= peak <= 27
    for t in a.snapshots("sample"):
        if t.year >= 2023:
            assert 17.5 <= held_share(a.zones_at(t.date(), "sample")) <= 20, t


def test_zones_of_each_date_form_a_valid_coverage(default_atlas):
    for t in default_atlas.snapshots("sample"):
        zones = default_atlas.zones_at(t.date(), "sample")
        assert shapely.coverage_is_valid(zones.geometry.values), t
        assert zones["status"].is_unique


def test_kursk_incursion_is_held_abroad_and_outside_ukraine(default_atlas):
    zones = default_atlas.zones_at("2024-08-20", "sample")
    abroad = zones[zones["status"] == "defender_held_abroad"].geometry.iloc[0]
    assert 800 <= analysis.area_km2(abroad) <= 1_500
    assert abroad.representative_point().y > 51.0  # Kursk oblast, north of Sumy
    assert default_atlas.zones_at("2025-04-26", "sample")["status"].eq("defender_held_abroad").sum() == 0


def test_front_towns_change_hands_on_known_dates(default_atlas):
    from layers import REGISTRY, View

    def status(name: str, date: str) -> str:
        towns = REGISTRY["towns"].frame(default_atlas, View(date, "sample"))
        return towns.loc[towns["name"] == name, "status"].iloc[0]

    assert status("Kherson", "2022-11-10") == "occupied"
    assert status("Kherson", "2022-11-12") == "liberated"
    assert status("Bakhmut", "2023-05-21") == "occupied"
    assert status("Avdiivka", "2024-02-18") == "occupied"
    assert status("Izium", "2022-09-12") == "liberated"
    assert status("Simferopol", "2022-02-23") == "occupied_before"
    assert status("Lviv", "2025-11-27") == "free"
    # river-bank towns on the Dnipro stay on their bank's side
    assert status("Enerhodar", "2022-03-21") == "occupied"
    assert status("Nova Kakhovka", "2023-01-16") == "occupied"
    assert status("Oleshky", "2024-06-01") == "occupied"


def test_towns_cover_every_oblast_centre_and_big_city(default_atlas):
    towns = default_atlas.towns
    assert len(towns) >= 200
    centres = towns[towns["kind"].isin(["capital", "oblast_centre"])]
    assert set(THEATRE.ADMIN1) - {"Kyiv"} <= set(centres["admin1"])  # Kyiv Oblast's centre is Kyiv itself
    assert towns["town_id"].is_unique
    assert towns["source"].notna().all()


def test_strikes_are_documented_and_well_formed(default_atlas):
    s = default_atlas.strikes
    assert len(s) >= 150
    assert s["event_id"].is_unique and s["source"].notna().all()
    by_date = {(t.date().isoformat(), p) for t, p in zip(s["time"], s["place"], strict=True)}
    for known in [("2022-04-08", "Kramatorsk"), ("2023-01-14", "Dnipro"), ("2024-07-08", "Kyiv"),
                  ("2025-04-13", "Sumy"), ("2025-11-19", "Ternopil")]:
        assert any(d == known[0] and known[1] in str(p) for d, p in by_date), known
    kramatorsk = s[(s["place"] == "Kramatorsk") & (s["time"].dt.date.astype(str) == "2022-04-08")].iloc[0]
    assert kramatorsk["killed"] >= 50
    assert (s["killed"].dropna() >= 0).all()
