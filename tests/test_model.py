import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from geo import model
from tests.conftest import tiny_frames


def test_normalize_keeps_valid_rows_and_does_not_mutate():
    frames = tiny_frames()
    before = frames["strikes"].copy()
    clean, rejects = model.normalize("strikes", frames["strikes"], "s.csv")
    assert rejects == []
    assert len(clean) == 4
    assert str(clean["time"].dtype) == "datetime64[ns, UTC]" or clean["time"].dt.tz is not None
    assert clean["killed"].tolist()[:2] == [1, 0]
    pd.testing.assert_frame_equal(frames["strikes"], before)


def test_rejects_name_file_row_and_field():
    frames = tiny_frames()
    s = frames["strikes"].copy()
    s["time"] = s["time"].astype(object)
    s.loc[1, "time"] = "not a date"
    s.loc[2, "kind"] = "laser"
    s.loc[3, "event_id"] = "s1"
    s.loc[0, "killed"] = -5
    clean, rejects = model.normalize("strikes", s, "events.csv")
    got = {(r.row, r.field) for r in rejects}
    assert got == {(1, "killed"), (2, "time"), (3, "kind"), (4, "event_id")}
    assert len(clean) == 0
    assert rejects[0].file == "events.csv"
    assert "row 1, field 'killed'" in [r for r in rejects if r.field == "killed"][0].sentence()


def test_geometry_problems_are_rejected_or_repaired():
    bowtie = Polygon([(30, 48), (31, 49), (31, 48), (30, 49)])
    frame = gpd.GeoDataFrame(
        {"source": ["x"] * 4, "as_of": ["2022-03-01"] * 4, "status": ["occupied"] * 4},
        geometry=[bowtie, None, Point(30, 48), box(3_300_000, 5_300_000, 3_400_000, 5_400_000)],
        crs=model.CRS,
    )
    clean, rejects = model.normalize("control", frame, "z.geojson")
    assert len(clean) == 1
    assert clean.geometry.iloc[0].is_valid
    assert clean.geometry.iloc[0].area == pytest.approx(0.5)
    reasons = {r.row: r.reason for r in rejects}
    assert set(reasons) == {2, 3, 4}
    assert "empty" in reasons[2] and "Polygon" in reasons[3] and "projected" in reasons[4]


def test_projected_frame_is_reprojected_and_3d_flattened():
    frame = gpd.GeoDataFrame({"town_id": ["k"], "name": ["Kyiv"], "source": ["t"]},
                             geometry=[Point(30.5234, 50.4501, 170.0)], crs=model.CRS).to_crs(3857)
    clean, rejects = model.normalize("towns", frame)
    assert rejects == []
    assert clean.geometry.iloc[0].has_z is False
    assert clean.geometry.iloc[0].x == pytest.approx(30.5234, abs=1e-6)


def test_missing_required_column_is_one_clear_error():
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(30, 50)], crs=model.CRS)
    with pytest.raises(model.DataError, match="towns.csv: missing required column.*town_id"):
        model.normalize("towns", frame, "towns.csv")


def test_dates_before_2014_are_rejected():
    s = tiny_frames()["strikes"].copy()
    s.loc[0, "time"] = "2202-02-02"
    s["time"] = s["time"].astype(str)
    _, rejects = model.normalize("strikes", s)
    assert [(r.row, r.field) for r in rejects] == [(1, "time")]
    assert "outside" in rejects[0].reason
