"""The Streamlit app driven by AppTest: slider steps change only the date's feature groups."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def map_args(at: AppTest) -> dict:
    comps = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    assert len(comps) == 1, "exactly one map component"
    return json.loads(comps[0].proto.json_args)


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_slider_step_changes_feature_group_not_base_map(app):
    first = map_args(app)
    assert first["js_links"] == ["/app/static/leaflet.js"]
    assert first["returned_objects"] == []
    app.query_params  # noqa: B018 - read to be sure it exists
    app.slider(key="date_slider").set_value(dt.date(2022, 3, 20)).run()
    before = map_args(app)
    app.slider(key="date_slider").set_value(dt.date(2022, 4, 10)).run()
    after = map_args(app)
    assert not app.exception
    assert before["script"] == after["script"] == first["script"]
    assert before["feature_group"] != after["feature_group"]
    assert "window.feature_group = [];" in after["feature_group"].split("map_div.addLayer")[0]
    assert app.query_params["date"] == ["2022-04-10"] or app.query_params["date"] == "2022-04-10"


def test_date_input_and_slider_stay_in_sync(app):
    app.date_input(key="date_input").set_value(dt.date(2023, 5, 21)).run()
    assert app.slider(key="date_slider").value == dt.date(2023, 5, 21)
    assert any("21 May 2023" in m.value for m in app.markdown)


def test_window_and_layers_are_in_the_url(app):
    app.radio(key="window").set_value(30).run()
    app.checkbox(key="layer_strikes").uncheck().run()
    q = {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}
    assert q["window"] == "30"
    assert q["layers"] == "control,towns"
    fg = map_args(app)["feature_group"]
    assert "flTowns" in fg  # the towns restyle is still sent


def test_link_reopens_the_view_and_bad_links_get_one_sentence():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"date": "2022-11-12", "window": "1", "layers": "control,bogus"})
    at.run()
    assert not at.exception
    assert at.slider(key="date_slider").value == dt.date(2022, 11, 12)
    assert at.radio(key="window").value == 1
    assert any("unknown layer 'bogus'" in w.value for w in at.warning)
    at2 = AppTest.from_file(APP, default_timeout=120)
    at2.query_params["date"] = "1990-01-01"
    at2.run()
    assert any("outside the data" in w.value for w in at2.warning)
    assert not at2.exception


def test_play_advances_the_date(app):
    app.slider(key="date_slider").set_value(dt.date(2022, 3, 1)).run()
    app.button(key="play_button").click().run()
    assert app.session_state.playing
    app.session_state.last_tick = 0.0
    app.run()
    assert app.session_state.date > dt.date(2022, 3, 1)
    app.button(key="play_button").click().run()
    assert not app.session_state.playing


def test_empty_data_directory_is_one_sentence_in_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTLINE_DATA", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("holds no control zones, towns or strikes" in e.value for e in at.error)
