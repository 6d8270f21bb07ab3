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

import json
from pathlib import Path

import pytest

from geo import export
from layers import REGISTRY
from tests.browser.harness import app_server, browser, map_frame, offline_page
from tests.hostile_data import DAY, DOLLAR, IMG, PAYLOADS, SCRIPT, SOURCE, TEMPLATE, hostile_atlas

pytestmark = pytest.mark.browser
LAYERS = ",".join(REGISTRY)  # every map layer on, the changes and disagreement layers included


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


# Where each <img> a Markdown payload produced sits: before the "Analysis" panels, or in them (ui/changes.py).
FOREIGN_IMAGES = """() => {
  const anchor = Array.from(document.querySelectorAll('[data-testid="stWidgetLabel"]'))
    .find(e => e.innerText.trim() === 'Analysis');
  return Array.from(document.querySelectorAll("img[src*='evil.example']")).map(img => ({
    in_panels: !!anchor && !!(anchor.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING),
    where: ((img.closest('[data-testid]') || {}).outerHTML || '').slice(0, 300)}));
}"""


@pytest.fixture(scope="module")
def visit(hostile_store) -> dict:
    """Open the app on the hostile store with every layer on, open every popup and tooltip, record what happened."""
    requests: list[str] = []
    with app_server(data=hostile_store) as url, browser() as b:
        page = offline_page(b)
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (requests.append(f"dialog:{d.message}"), d.dismiss()))
        page.goto(f"{url}/?date={DAY}&window=7&layers={LAYERS}")
        frame = map_frame(page)
        frame.wait_for_function("() => ['strikes', 'towns'].every(p => document.querySelectorAll("
                                "`.leaflet-${p}-pane path`).length >= 3)", timeout=30_000)  # towns are fetched
        page.get_by_text("Analysis").first.wait_for(timeout=30_000)
        shown = frame.evaluate(OPEN_ALL)
        page.wait_for_timeout(500)  # any onerror or injected script would have run by now
        return {
            "text": "\n".join(shown["texts"]), "html": "\n".join(shown["htmls"]),
            "pwned": [frame.evaluate("() => window.__pwned"), page.evaluate("() => window.__pwned")],
            "sidebar": page.locator("section[data-testid='stSidebar']").inner_text(),
            "js_links": page.locator("a[href^='javascript']").count() + frame.locator("a[href^='javascript']").count(),
            "map_images": frame.locator(".leaflet-popup-content img, .leaflet-tooltip img").count(),
            "images": page.evaluate(FOREIGN_IMAGES), "requests": requests,
        }


def test_app_shows_hostile_strings_as_text_and_runs_none(visit):
    text, html = visit["text"], visit["html"]
    assert visit["pwned"] == [None, None]
    assert SCRIPT in text and IMG in text and TEMPLATE in text and DOLLAR in text  # shown literally
    assert "Capital <script>" in text and "Place <script>" in text and "zone <script>" in text
    assert "&lt;script&gt;" in html and "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html.lower() and visit["js_links"] == 0 and visit["map_images"] == 0
    assert "src <script>" in visit["sidebar"]  # the source name in the sidebar, as text
    assert [i for i in visit["images"] if not i["in_panels"]] == []  # the sidebar, summary and map fetch nothing
    assert not [u for u in visit["requests"] if u.endswith("/x") or u.startswith("dialog:")]


def test_analysis_panels_fetch_nothing_a_source_name_points_to(visit):
    assert visit["images"] == [] and not [u for u in visit["requests"] if "evil.example" in u]


def test_geojson_export_carries_the_strings_verbatim():
    atlas = hostile_atlas()
    text = export.dumps(export.snapshot(atlas, DAY, source=SOURCE, window_days=7))
    data = json.loads(text)
    assert any(f["properties"].get("description") == " ".join(PAYLOADS) for f in data["features"])
    assert {f["properties"]["name"] for f in data["features"] if f["properties"]["layer"] == "towns"} == {
        f"Capital {SCRIPT}", f"Centre {IMG}", f"Town {TEMPLATE} {DOLLAR}"}
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
        page, blocked, dialogs = b.new_page(viewport={"width": 1280, "height": 800}), [], []
        local = ("file://", "data:", "blob:", "about:")
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else (
            blocked.append(r.request.url), r.abort()))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(out.as_uri())
        page.wait_for_function("() => window.replay && window.replayMap", timeout=30_000)
        page.evaluate("() => window.replay.show(window.replay.frames - 1)")
        tips = page.evaluate("""() => { const out = [];
            window.replayMap.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip();
              const e = l.getTooltip().getElement(); if (e) out.push(e.innerText); } });
            return out; }""")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__pwned") is None and dialogs == []
        assert blocked == [], "the replay is self-contained and its strings fetch nothing"
        title = page.locator("#title").inner_text()
        assert title == f"Replay {SCRIPT} {TEMPLATE}"
        assert f"Capital {SCRIPT}" in "\n".join(tips) and f"Place {SCRIPT}" in "\n".join(tips)
        assert "src <script>" in page.locator("#attr").inner_text()
        assert page.locator("#panel img, #attr img, .leaflet-tooltip img").count() == 0
