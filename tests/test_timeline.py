import datetime as dt

import pytest
from shapely.geometry import Point

from geo import model, timeline


def test_control_at_takes_latest_snapshot_on_or_before_end_of_day(tiny):
    assert timeline.control_at(tiny.control, "2022-02-28", "t").empty
    first = timeline.control_at(tiny.control, "2022-03-01", "t")
    assert first["label"].tolist() == ["east"]
    assert timeline.control_at(tiny.control, "2022-03-04", "t")["label"].tolist() == ["east"]
    later = timeline.control_at(tiny.control, dt.date(2022, 3, 5), "t")
    assert sorted(later["label"]) == ["east+", "grey"]
    assert timeline.snapshot_at(tiny.control, "2022-03-09", "t").isoformat() == "2022-03-05T10:00:00+00:00"


def test_strike_window_includes_whole_days(tiny):
    assert timeline.strikes_in(tiny.strikes, "2022-03-01", 1)["event_id"].tolist() == ["s2"]
    assert timeline.strikes_in(tiny.strikes, "2022-03-05", 1)["event_id"].tolist() == ["s4"]
    # 7 days up to 5 March are 27 Feb .. 5 Mar inclusive
    assert timeline.strikes_in(tiny.strikes, "2022-03-05", 7)["event_id"].tolist() == ["s1", "s2", "s3", "s4"]
    assert timeline.strikes_in(tiny.strikes, "2022-03-04", 6)["event_id"].tolist() == ["s1", "s2", "s3"]
    assert timeline.strikes_in(tiny.strikes, "2022-03-04", 5)["event_id"].tolist() == ["s2", "s3"]
    with pytest.raises(model.DataError):
        timeline.strikes_in(tiny.strikes, "2022-03-05", 0)


def test_town_status_from_polygons(tiny):
    zones = timeline.control_at(tiny.control, "2022-03-01", "t")
    assert timeline.town_status(tiny.towns, zones).tolist() == ["occupied", "free", "free"]
    zones = timeline.control_at(tiny.control, "2022-03-05", "t")
    assert timeline.town_status(tiny.towns, zones).tolist() == ["occupied", "occupied", "contested"]


def test_offshore_towns_snap_to_the_nearest_zone_but_towns_on_land_do_not(tiny):
    from shapely.geometry import box

    zones = timeline.control_at(tiny.control, "2022-03-01", "t")  # occupied box 31..32 E
    towns = tiny.towns.copy()
    towns.loc[1, "geometry"] = Point(30.99, 48.5)  # 0.01 deg west of the zone
    land = box(31.0, 47.0, 33.0, 50.0)  # the town lies off this "coast"
    assert timeline.town_status(towns, zones).tolist()[1] == "free"
    assert timeline.town_status(towns, zones, land).tolist()[1] == "occupied"
    assert timeline.town_status(towns, zones, box(30.0, 47.0, 33.0, 50.0)).tolist()[1] == "free"


def test_dates_and_range_checks(tiny):
    assert tiny.dates == (dt.date(2022, 2, 27), dt.date(2022, 3, 5))
    with pytest.raises(model.DataError, match="outside the data, which runs from 2022-02-27 to 2022-03-05"):
        timeline.check_date("2023-01-01", *tiny.dates)
    with pytest.raises(model.DataError, match="not a date"):
        timeline.to_date("yesterday")
