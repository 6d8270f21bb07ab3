"""Bad values: every one has a defined, tested outcome: repaired, rejected with a reason, or flagged.

The table runs one valid row of each layer (``tests.conftest.tiny_frames``) with ONE field
spoilt through ``geo.model.normalize`` (the single validation every importer ends in); the
tests after it follow the same values through real import paths, where rows get numbers.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from geo import model
from geo.importers import Options, get, run_file
from geo.importers import events_common as ev
from geo.importers.base import FileResult
from tests.conftest import tiny_frames

NAN, INF = math.nan, math.inf
BOWTIE = Polygon([(30, 48), (31, 49), (31, 48), (30, 49), (30, 48)])
OUT_OF_RANGE = "coordinates outside lon -180..180 / lat -90..90 or not finite"


def one_row(layer: str, **changes: object) -> gpd.GeoDataFrame:
    """The first valid row of ``layer`` with ``changes`` applied (``geometry`` replaces the geometry)."""
    frame = tiny_frames()[layer].iloc[[0]].copy()
    for key, value in changes.items():
        if key == "geometry":
            frame = frame.set_geometry(gpd.GeoSeries([value], index=frame.index, crs=model.CRS))
        else:
            frame[key] = pd.Series([value], index=frame.index, dtype=object)
    return frame


REJECTED = [
    # (id, layer, changes, field, reason)
    ("nan-lon", "strikes", {"geometry": Point(NAN, 48)}, "geometry", OUT_OF_RANGE),
    ("nan-point", "towns", {"geometry": Point(NAN, NAN)}, "geometry", OUT_OF_RANGE),
    ("infinite-lon", "strikes", {"geometry": Point(INF, 48)}, "geometry", OUT_OF_RANGE),
    ("latitude-95", "towns", {"geometry": Point(30, 95)}, "geometry", OUT_OF_RANGE),
    ("latitude-minus-91", "strikes", {"geometry": Point(30, -91)}, "geometry", OUT_OF_RANGE),
    ("projected-metres", "strikes", {"geometry": Point(3_400_000, 6_200_000)}, "geometry", OUT_OF_RANGE),
    ("nan-vertex", "control", {"geometry": Polygon([(30, 48), (31, NAN), (31, 49), (30, 48)])}, "geometry",
     OUT_OF_RANGE),
    ("empty-geometry", "control", {"geometry": Polygon()}, "geometry", "empty or missing geometry"),
    ("missing-geometry", "strikes", {"geometry": None}, "geometry", "empty or missing geometry"),
    ("zero-area-line", "control", {"geometry": Polygon([(30, 48), (31, 48), (32, 48), (30, 48)])}, "geometry",
     "no area left after repairing the polygon"),
    ("zero-area-point", "control", {"geometry": Polygon([(30, 48)] * 4)}, "geometry",
     "no area left after repairing the polygon"),
    ("polygon-as-strike", "strikes", {"geometry": box(30, 48, 31, 49)}, "geometry", "geometry type must be Point"),
    ("far-future", "strikes", {"time": "2202-02-02"}, "time", "date outside 2014-01-01..2100-01-01"),
    ("year-9999", "control", {"as_of": "9999-12-31"}, "as_of", "date outside 2014-01-01..2100-01-01"),
    ("before-2014", "strikes", {"time": "2013-12-31T23:59"}, "time", "date outside 2014-01-01..2100-01-01"),
    ("not-a-date", "strikes", {"time": "yesterday"}, "time", "unparseable or missing date/time"),
    ("negative-killed", "strikes", {"killed": -1}, "killed", "negative count"),
    ("negative-population", "towns", {"population": "-5"}, "population", "negative count"),
    ("fractional-killed", "strikes", {"injured": "2.5"}, "injured", "not a whole number"),
    ("text-count", "strikes", {"killed": "many"}, "killed", "not a number"),
    ("infinite-count", "strikes", {"killed": INF}, "killed", "implausibly large"),
    ("huge-population", "towns", {"population": "1e300"}, "population", "implausibly large"),
    ("unknown-status", "control", {"status": "annexed"}, "status", "must be one of"),
    ("unknown-kind", "strikes", {"kind": "nuclear"}, "kind", "must be one of"),
    ("blank-name", "towns", {"name": "   "}, "name", "required value is missing"),
    ("blank-id", "strikes", {"event_id": ""}, "event_id", "required value is missing"),
]


@pytest.mark.parametrize(("layer", "changes", "field", "reason"), [c[1:] for c in REJECTED],
                         ids=[c[0] for c in REJECTED])
def test_bad_value_is_rejected_with_its_field_and_reason(layer, changes, field, reason):
    clean, rejects = model.normalize(layer, one_row(layer, **changes), "bad.csv")
    assert len(clean) == 0
    assert [(r.file, r.row, r.field) for r in rejects] == [("bad.csv", 1, field)]
    assert reason in rejects[0].reason


def test_self_intersecting_polygon_is_repaired_keeping_its_area():
    clean, rejects = model.normalize("control", one_row("control", geometry=BOWTIE))
    assert rejects == []
    g = clean.geometry.iloc[0]
    assert g.is_valid and g.geom_type == "MultiPolygon" and len(g.geoms) == 2
    assert g.area == pytest.approx(0.5)  # the two triangles of the bow tie
    assert g.covers(Point(30.2, 48.5)) and g.covers(Point(30.8, 48.5))


@pytest.mark.parametrize(("layer", "changes", "column", "expected"), [
    ("strikes", {"geometry": Point(30, 48, 120)}, "geometry", "POINT (30 48)"),  # 3-D flattened
    ("strikes", {"time": "2022-03-01T10:00+03:00"}, "time", pd.Timestamp("2022-03-01T07:00", tz="UTC")),
    ("strikes", {"time": "2022-03-01 10:00"}, "time", pd.Timestamp("2022-03-01T10:00", tz="UTC")),  # naive = UTC
    ("strikes", {"killed": "3.0"}, "killed", 3),
    ("strikes", {"killed": ""}, "killed", pd.NA),
    ("strikes", {"location_precision": None}, "location_precision", "exact"),
    ("control", {"status": " occupied "}, "status", "occupied"),
    ("towns", {"name": "  Kharkiv\t"}, "name", "Kharkiv"),
])
def test_fixable_value_is_repaired(layer, changes, column, expected):
    clean, rejects = model.normalize(layer, one_row(layer, **changes))
    assert rejects == []
    value = clean[column].iloc[0]
    if column == "geometry":
        assert shapely.to_wkt(value) == expected
    elif expected is pd.NA:
        assert value is pd.NA
    else:
        assert value == expected


@pytest.mark.parametrize("text", ["<script>window.__pwned=1</script>", "{{7*7}}", "${7*7}", "a\x00b", "\u202eevil",
                                  "javascript:alert(1)", "x" * 100_000])
def test_hostile_text_is_kept_verbatim_for_the_renderers_to_escape(text):
    clean, rejects = model.normalize("strikes", one_row("strikes", description=text, source_url=text))
    assert rejects == []
    assert clean["description"].iloc[0] == text.strip() and clean["source_url"].iloc[0] == text.strip()


def test_duplicate_ids_with_different_contents_keep_the_first_and_reject_the_rest():
    frames = tiny_frames()["strikes"]
    twin = frames.iloc[[0, 1]].copy()
    twin["event_id"] = ["s1", "s1"]
    clean, rejects = model.normalize("strikes", twin, "twins.csv")
    assert list(clean["place"]) == ["P1"]
    assert [(r.row, r.field, r.reason, r.value) for r in rejects] == [
        (2, "event_id", "duplicate id (first occurrence kept)", "s1")]


def test_event_sources_flag_a_reused_id_with_new_content_and_reject_exact_repeats():
    result = FileResult("events.csv", "0" * 64, "test")
    frame = pd.DataFrame({"what": ["a", "b", "a"]}, index=[1, 2, 3])
    out = ev.assign_ids(result, frame, pd.Series(["x:1"] * 3, index=frame.index), frame["what"])
    assert out["event_id"].tolist() == ["x:1", f"x:1-{ev.digest('b')[:8]}"]  # kept, id made distinct
    assert [(r.row, r.field, r.reason) for r in result.rejects] == [
        (3, "event_id", "duplicate row (first occurrence kept)")]


def test_reject_values_are_truncated_so_reports_stay_small():
    clean, rejects = model.normalize("strikes", one_row("strikes", kind="k" * 10_000))
    assert len(rejects[0].value) == 200


# ---- the same values through real import paths ----------------------------------------------
def test_generic_csv_rows_with_bad_values_are_rejected_by_row_number(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "event_id,time,kind,lon,lat,killed\n"
        "ok,2022-03-01,missile,36.2,49.9,1\n"
        "nanlat,2022-03-01,missile,36.2,nan,1\n"
        "north,2022-03-01,missile,36.2,95,1\n"
        "future,2202-02-02,missile,36.2,49.9,1\n"
        "old,2013-05-01,missile,36.2,49.9,1\n"
        "minus,2022-03-01,missile,36.2,49.9,-4\n"
        "ok,2022-03-02,drone,36.3,49.8,0\n"
        "inf,2022-03-01,missile,36.2,49.9,1e400\n", "utf-8")
    result = run_file(get("generic"), path, Options(layer="strikes"))
    assert result.read == 8 and result.stored == 1
    got = {r.row: (r.field, r.reason.split(" (")[0]) for r in result.rejects}
    assert got == {
        2: ("lat", "not a number"),
        3: ("geometry", "coordinates outside lon -180..180 / lat -90..90 or not finite"),
        4: ("time", "date outside 2014-01-01..2100-01-01"),
        5: ("time", "date outside 2014-01-01..2100-01-01"),
        6: ("killed", "negative count"),
        7: ("event_id", "duplicate id"),
        8: ("killed", "implausibly large"),
    }


def test_generic_geojson_bow_tie_is_repaired_and_sliver_rejected(tmp_path):
    frame = gpd.GeoDataFrame({"source": ["u", "u"], "as_of": ["2022-03-01", "2022-03-01"],
                              "status": ["occupied", "contested"]},
                             geometry=[BOWTIE, Polygon([(30, 48), (31, 48), (32, 48), (30, 48)])], crs=model.CRS)
    path = tmp_path / "zones.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = run_file(get("generic"), path, Options())
    assert result.frames["control"].geometry.iloc[0].area == pytest.approx(0.5)
    assert [(r.row, r.reason) for r in result.rejects] == [(1, "no area left after repairing the polygon")]


def test_isw_year_2202_is_rejected_with_a_hint(tmp_path):
    path = tmp_path / "2202-02-02.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"2202-02-02",'
                    '"layer_type":"ukraine_control_map","area_km2":1},"geometry":{"type":"Polygon","coordinates":'
                    '[[[36,48],[37,48],[37,49],[36,48]]]}}]}', "utf-8")
    result = run_file(get("isw"), path, Options())
    assert result.stored == 0
    assert [(r.field, r.reason) for r in result.rejects] == [("date", "date 2202-02-02 is implausible (typo of 2022?)")]
