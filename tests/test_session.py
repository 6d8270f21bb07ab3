"""The per-session overlay (base Atlas + uploaded frames) and the Streamlit upload box."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest

from geo import model, timeline
from geo.importers import run_file
from geo.importers.base import Options
from geo.importers.generic import GenericImporter
from geo.session import with_upload
from ui.upload import display_name, import_upload, overlay

CSV = b"event_id,time,kind,lon,lat\nu1,2022-03-05T08:00,missile,30.1,48.1\nu2,2022-03-06,drone,30.2,48.2\n" \
      b"u3,2022-03-06,ufo,30.2,48.2\n"


def _upload_result(tmp_path: Path, name: str, text: str, **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_file(GenericImporter(), path, Options(**options))


def test_overlay_adds_rows_and_never_changes_the_base(tiny, tmp_path):
    before = {name: tiny.layer(name).copy() for name in ("control", "towns", "strikes")}
    tiny.cache.get(("probe",), lambda: "base value")
    zones = _upload_result(tmp_path, "mine.csv", "status,as_of,wkt\noccupied,2022-03-04,"
                           '"POLYGON ((33 48, 34 48, 34 49, 33 49, 33 48))"\n', layer="control")
    strikes = _upload_result(tmp_path, "hits.csv", CSV.decode())
    out = with_upload(with_upload(tiny, zones), strikes)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(tiny.layer(name), frame)
    assert tiny.sources == ["t"] and tiny.manifest == {"attribution": {"t": "Test source"}}
    assert out is not tiny and out.cache is not tiny.cache and out.cache.get(("probe",), lambda: "new") == "new"
    assert len(out.control) == 4 and len(out.strikes) == 6 and len(out.towns) == 3
    assert sorted(out.sources) == ["mine", "t"]  # uploaded rows keep their own source
    hits = out.strikes[out.strikes["source"] == "hits"]  # strikes are kept in time order
    assert [f.split("/")[-1] for f in hits["import_file"]] == ["hits.csv", "hits.csv"]
    assert out.strikes["time"].is_monotonic_increasing
    mine = timeline.control_at(out.control, "2022-03-05", "mine")
    assert len(mine) == 1 and mine.geometry.iloc[0].equals(box(33, 48, 34, 49))
    assert out.dates == (tiny.dates[0], pd.Timestamp("2022-03-06").date())
    assert out.attribution() == ["hits (uploaded file, this session only)", "mine (uploaded file, this session only)",
                                 "Test source"]


def test_import_upload_uses_a_fixed_temp_name_and_reports_the_users(tmp_path):
    ok = import_upload("../../etc/Attacks (1).csv", CSV, layer="strikes")
    assert ok.error is None and ok.name == "Attacks (1).csv"
    assert ok.result.read == 3 and len(ok.result.frames["strikes"]) == 2
    assert set(ok.result.frames["strikes"]["source"]) == {"Attacks (1)"}
    assert [r.sentence() for r in ok.result.rejects] == [
        f"Attacks (1).csv, row 3, field 'kind': must be one of {', '.join(model.STRIKE_KINDS)} (value: 'ufo')"]
    bad = import_upload("zones.geojson", b"PK\x03\x04junk")
    assert bad.result is None and bad.error == "zones.geojson: content looks like zip, not json as its extension says"
    assert "unsupported file type" in import_upload("run.sh", b"rm -rf /").error
    assert "over the upload limit" in import_upload("big.csv", CSV, max_bytes=10).error
    assert display_name("a/b\\c<script>.kml") == "c_script_.kml"


def test_overlay_of_failed_uploads_is_the_base(tiny):
    assert overlay(tiny, [import_upload("x.kml", b"not xml")]) is tiny


def _app() -> None:
    import geopandas as gpd
    import streamlit as st
    from shapely.geometry import Point

    from geo import model
    from geo.atlas import Atlas
    from ui.upload import upload_panel

    @st.cache_resource
    def base() -> Atlas:
        towns = gpd.GeoDataFrame({"town_id": ["a"], "name": ["A"], "source": ["t"]}, geometry=[Point(30, 48)],
                                 crs=model.CRS)
        strikes = gpd.GeoDataFrame({"event_id": ["s"], "time": ["2022-03-01"], "kind": ["drone"], "source": ["t"]},
                                   geometry=[Point(30, 48)], crs=model.CRS)
        return Atlas(model.empty("control"), model.normalize("towns", towns)[0],
                     model.normalize("strikes", strikes)[0])

    atlas = upload_panel(base())
    st.session_state.runs = st.session_state.get("runs", 0) + 1
    st.markdown(f"strikes {len(atlas.strikes)} base {len(base().strikes)} overlay {id(atlas)}")


@pytest.mark.parametrize("layer", ["auto", "strikes"])
def test_upload_panel_overlays_per_session_and_caches(layer):
    at = AppTest.from_function(_app, default_timeout=60)
    at.run()
    assert not at.exception and at.markdown[0].value.startswith("strikes 1 base 1")
    at.selectbox(key="upload_layer").set_value(layer)
    at.sidebar.file_uploader[0].set_value(("hits.csv", CSV, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    first = at.markdown[0].value
    assert first.startswith("strikes 3 base 1")
    assert "hits.csv" in at.caption[0].value and "rejected 1" in at.caption[0].value
    assert list(at.dataframe[0].value["field"]) == ["kind"]
    at.run()  # a rerun reuses the cached overlay
    assert at.markdown[0].value == first
    at.sidebar.file_uploader[0].set_value(("zones.kml", b"<kml><Placemark>", "application/xml"))
    at.run()
    assert at.markdown[0].value.startswith("strikes 1 base 1")
    assert "zones.kml" in at.error[0].value and "not well-formed XML" in at.error[0].value


def test_points_only_upload_does_not_touch_control(tiny, tmp_path):
    result = _upload_result(tmp_path, "t.csv", "name,population,lon,lat\nNew,5,30.9,48.9\n")
    out = with_upload(tiny, result)
    assert out.control.equals(tiny.control) and out.control is not tiny.control
    assert out.towns.geometry.iloc[-1].equals(Point(30.9, 48.9))
