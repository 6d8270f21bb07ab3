"""The HTML replay opened from disk in headless Debian chromium with every other request blocked."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import model, replay
from geo.atlas import Atlas
from tests.browser.harness import browser
from tests.conftest import tiny_frames

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PWN = "<script>window.__pwned=1</script>"
ZONE_PATHS = "() => Array.from(document.querySelectorAll('[class*=leaflet-zone] path'))"


def hostile_atlas() -> Atlas:
    """The tiny atlas plus a capital whose name and the attribution try to inject a script."""
    frames = tiny_frames()
    town = gpd.GeoDataFrame({"town_id": ["x"], "name": [PWN], "name_uk": [""], "population": [1000],
                             "admin1": ["Kyiv"], "kind": ["capital"], "source": ["test"], "note": [""]},
                            geometry=[Point(29.0, 49.5)], crs=model.CRS)
    frames["towns"] = pd.concat([frames["towns"], town], ignore_index=True)
    clean = {k: model.normalize(k, v)[0] for k, v in frames.items()}
    return Atlas(**clean, manifest={"attribution": {"t": f"Test source {PWN}"}})


def open_offline(b, path: Path):
    """A page that may load ``path`` and nothing else (every other request is aborted and recorded)."""
    page = b.new_page(viewport={"width": 1280, "height": 720})
    page.blocked, page.errors = [], []
    url = path.resolve().as_uri()

    def guard(route):
        if route.request.url == url or route.request.url.startswith(("data:", "about:", "blob:")):
            route.continue_()
        else:
            page.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(url)
    page.wait_for_function("() => window.replay && window.replayMap")
    return page


def zone_fills(page) -> list[str]:
    return page.evaluate(f"() => ({ZONE_PATHS})().map(p => p.getAttribute('fill'))")


def test_html_replay_plays_offline_and_escapes_data(tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    atlas = hostile_atlas()
    spec = replay.make_spec(atlas, "2022-02-27", "2022-03-05", title=f"Replay {PWN}", fps=20)
    out = replay.render(atlas, spec, tmp_path / "replay.html")
    with browser() as b:
        page = open_offline(b, out)
        assert page.evaluate("() => window.replay.frames") == 7
        assert page.inner_text("#date") == "27 February 2022"
        assert zone_fills(page) == []  # before the first snapshot nothing is drawn
        scrub = page.locator("#scrub")
        scrub.fill("6")  # the last frame, through the scrubber
        assert page.inner_text("#date") == "5 March 2022"
        assert page.inner_text("#note") == "snapshot of 2022-03-05"
        fills = zone_fills(page)
        occupied, contested = replay.zone_fill("occupied"), replay.zone_fill("contested")
        assert sorted(fills) == sorted([occupied] * 6 + [contested] * 2)
        page.screenshot(path=str(SHOTS / "replay-html-2022-03-05.png"))
        scrub.fill("4")
        assert page.inner_text("#note") == "snapshot of 2022-03-01"
        assert zone_fills(page) == [occupied] * 4
        page.keyboard.press("ArrowLeft")
        assert page.inner_text("#date") == "2 March 2022"
        # data strings show as text and never run
        assert PWN in page.inner_text("#title") and PWN in page.inner_text("#attr")
        assert PWN in page.inner_text("#map")  # the town label
        assert page.evaluate("() => window.__pwned") is None
        # play runs to the end and stops
        page.click("#play")
        page.wait_for_function("() => document.body.dataset.date === '2022-03-05'", timeout=10_000)
        page.wait_for_function("() => document.getElementById('play').textContent.includes('Play')", timeout=10_000)
        assert page.blocked == [] and page.errors == []
