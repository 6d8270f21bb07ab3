"""Script injection: hostile strings in every text field show as text in the app, the export and the replay.

A store built in a temporary folder holds payloads that would set ``window.__pwned`` (or
fetch a URL) if any of them were inserted as HTML, run as a template, or followed as a link:
in town, strike and control-zone text, source names and links. The app is started on it
offline; every popup and tooltip of the map is opened, and the page and the map iframe are
checked for ``window.__pwned``, for injected elements, and for requests the payloads would
make. The GeoJSON export must carry the strings verbatim (escaping belongs to HTML, not to
data), and the offline HTML replay must show them as text.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import export, model
from geo.atlas import Atlas
from tests.browser.harness import app_server, browser, map_frame, offline_page

pytestmark = pytest.mark.browser
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
JS_LINK = "javascript:window.__pwned=1"
TEMPLATE = "{{7*7}}"
DOLLAR = "${window.__pwned=1}"
MARKDOWN = "[click](javascript:window.__pwned=1) ![t](http://evil.example/track.png)"
PAYLOADS = (SCRIPT, IMG, JS_LINK, TEMPLATE, DOLLAR, MARKDOWN)
SOURCE = f"src {SCRIPT} {MARKDOWN}"  # a source name is shown in the sidebar, the summary line and the legend
DAY = dt.date(2022, 3, 5)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def hostile_atlas() -> Atlas:
    """Two control sources, three towns and three strikes whose every text field carries a payload."""
    n = len(PAYLOADS)
    control = gpd.GeoDataFrame({
        "source": [SOURCE, SOURCE, "plain"], "as_of": [ts("2022-03-01")] * 3,
        "status": ["occupied", "contested", "occupied"], "label": [f"zone {SCRIPT}", f"zone {IMG}", "plain"],
        "note": [f"{TEMPLATE} {DOLLAR}", MARKDOWN, ""], "source_url": [JS_LINK, "http://ok.example/a", ""],
    }, geometry=[box(33, 48, 35, 50), box(35, 48, 36, 50), box(30, 45, 31, 46)], crs=model.CRS)
    towns = gpd.GeoDataFrame({
        "town_id": [f"t{i} {p}" for i, p in enumerate(PAYLOADS[:3])],
        "name": [f"Capital {SCRIPT}", f"Centre {IMG}", f"Town {TEMPLATE} {DOLLAR}"],
        "name_uk": [IMG, SCRIPT, MARKDOWN], "population": [3_000_000, 400_000, 9_000],
        "admin1": [SCRIPT, DOLLAR, JS_LINK], "kind": ["capital", "oblast_centre", "town"],
        "source": [SOURCE] * 3, "note": [MARKDOWN, TEMPLATE, IMG],
    }, geometry=[Point(34, 49), Point(35.5, 49.5), Point(31.5, 48.5)], crs=model.CRS)
    strikes = gpd.GeoDataFrame({
        "event_id": [f"s{i}" for i in range(3)], "time": [ts("2022-03-03T10:00"), ts("2022-03-04"),
                                                          ts("2022-03-05T08:00")],
        "time_precision": ["minute", "day", "minute"], "kind": ["missile", "drone", "artillery"],
        "weapon": [SCRIPT, IMG, TEMPLATE], "target": [IMG, DOLLAR, SCRIPT], "place": [f"Place {SCRIPT}", IMG, DOLLAR],
        "admin1": [TEMPLATE, SCRIPT, IMG], "killed": [1, 0, 2], "injured": [0, 3, 1],
        "description": [" ".join(PAYLOADS), SCRIPT, IMG], "source": [SOURCE] * 3,
        "source_url": [JS_LINK, f"http://ok.example/?q={SCRIPT}", MARKDOWN], "location_precision": ["exact"] * 3,
    }, geometry=[Point(32, 48.5), Point(33.5, 49.5), Point(35.2, 48.8)], crs=model.CRS)
    assert n == 6
    frames = {k: model.normalize(k, v)[0] for k, v in {"control": control, "towns": towns, "strikes": strikes}.items()}
    return Atlas(**frames, manifest={"name": f"store {SCRIPT}"})


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "data"
    hostile_atlas().save(path)
    return path


OPEN_ALL = """() => {
  const texts = [], htmls = [];
  const layers = [];
  map_div.eachLayer(l => layers.push(l));
  for (const l of layers) {
    if (l.getPopup && l.getPopup()) {
      l.openPopup();
      const node = document.querySelector('.leaflet-popup-content');
      if (node) { texts.push(node.innerText); htmls.push(node.innerHTML); }
      l.closePopup();
    }
    if (l.getTooltip && l.getTooltip()) {
      l.openTooltip();
      const tip = l.getTooltip().getElement && l.getTooltip().getElement();
      if (tip) { texts.push(tip.innerText); htmls.push(tip.innerHTML); }
    }
  }
  return {texts, htmls};
}"""


def test_app_shows_hostile_strings_as_text_and_runs_none(hostile_store):
    requests: list[str] = []
    with app_server(data=hostile_store) as url, browser() as b:
        page = offline_page(b)
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (requests.append(f"dialog:{d.message}"), d.dismiss()))
        page.goto(f"{url}/?date={DAY}&window=7")
        frame = map_frame(page)
        frame.wait_for_function("() => document.querySelectorAll('.leaflet-strikes-pane path').length >= 3",
                                timeout=30_000)
        shown = frame.evaluate(OPEN_ALL)
        text, html = "\n".join(shown["texts"]), "\n".join(shown["htmls"])
        page.wait_for_timeout(500)  # any onerror or injected script would have run by now
        assert frame.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => window.__pwned") is None
        assert SCRIPT in text and IMG in text and TEMPLATE in text and DOLLAR in text  # shown literally
        assert "Capital <script>" in text and "Place <script>" in text and "zone <script>" in text
        assert "&lt;script&gt;" in html and "<script" not in html and "<img" not in html
        assert 'href="javascript' not in html.lower()
        assert frame.locator(".leaflet-popup-content img, .leaflet-tooltip img").count() == 0
        body = page.locator("section[data-testid='stSidebar']").inner_text()
        assert "src <script>" in body  # the source name in the sidebar, as text
        assert not [u for u in requests if u.endswith("/x") or "evil.example" in u or u.startswith("dialog:")]
        assert page.locator("a[href^='javascript']").count() == 0
        assert frame.locator("a[href^='javascript']").count() == 0


def test_geojson_export_carries_the_strings_verbatim():
    atlas = hostile_atlas()
    text = export.dumps(export.snapshot(atlas, DAY, source=SOURCE, window_days=7))
    data = json.loads(text)
    props = {f["properties"]["layer"]: f["properties"] for f in data["features"]}
    assert props["strikes"]["description"] == " ".join(PAYLOADS) or any(
        f["properties"].get("description") == " ".join(PAYLOADS) for f in data["features"])
    assert {f["properties"]["label"] for f in data["features"] if f["properties"]["layer"] == "control"} == {
        f"zone {SCRIPT}", f"zone {IMG}"}
    assert data["metadata"]["control_source"] == SOURCE and SOURCE in data["metadata"]["sources"]
    assert all(isinstance(line, str) for line in data["metadata"]["attribution"])
    assert "&lt;" not in text and "&amp;" not in text  # no HTML escaping in data
    meta = json.dumps(data["metadata"])
    assert "<a " not in meta and "<br" not in meta  # metadata is plain JSON strings, no markup added


def test_html_replay_offline_shows_strings_as_text(tmp_path):
    replay_html = pytest.importorskip("geo.replay_html", reason="replay_html not yet available")
    from geo import replay

    atlas = hostile_atlas()
    spec = replay.make_spec(atlas, "2022-03-01", "2022-03-05", title=f"Replay {SCRIPT} {TEMPLATE}", source=SOURCE)
    out = tmp_path / "replay.html"
    replay_html.write(atlas, spec, out)
    html = out.read_text("utf-8")
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    with browser() as b:
        page = offline_page(b)
        blocked_dialogs: list[str] = []
        page.on("dialog", lambda d: (blocked_dialogs.append(d.message), d.dismiss()))
        page.goto(out.as_uri())
        page.wait_for_function("() => window.replay && window.replayMap", timeout=30_000)
        page.evaluate("() => window.replay.show(window.replay.frames - 1)")
        tips = page.evaluate("""() => { const out = [];
            window.replayMap.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip();
              const e = l.getTooltip().getElement(); if (e) out.push(e.innerText); } });
            return out; }""")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__pwned") is None and blocked_dialogs == []
        title = page.locator("#title").inner_text()
        assert title == f"Replay {SCRIPT} {TEMPLATE}"
        assert f"Capital {SCRIPT}" in "\n".join(tips) and f"Place {SCRIPT}" in "\n".join(tips)
        assert "src <script>" in page.locator("#attr").inner_text()
        assert page.locator("#panel img, #attr img, .leaflet-tooltip img").count() == 0
