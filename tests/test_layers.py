import datetime as dt

import folium
import numpy as np

from layers import REGISTRY, View
from layers.base import link, popup_table
from layers.basemap import OfflineMap, base_map, legend_html
from layers.geojson_layer import bitmask


def render(group: folium.FeatureGroup) -> str:
    m = folium.Map()
    group.add_to(m)
    return m.get_root().render()


def test_registry_has_one_entry_per_layer():
    assert list(REGISTRY)[:3] == ["control", "towns", "strikes"]
    assert all(REGISTRY[n].legend() for n in ("control", "towns", "strikes", "changes", "frontline"))


def test_control_features_at_date(tiny):
    view = View(dt.date(2022, 3, 5), "t", 7)
    data = REGISTRY["control"].geojson(tiny, view)
    statuses = [f["properties"]["s"] for f in data.features]
    assert sorted(statuses) == ["contested", "occupied"]
    assert [f["properties"]["f"][2] for f in data.features] == ["12,326 km²", "4,109 km²"]  # 1.5 x 1 and 0.5 x 1 deg
    # second call is served from the per-snapshot cache
    assert REGISTRY["control"].geojson(tiny, View(dt.date(2022, 3, 6), "t", 7)) is data


def test_towns_are_drawn_once_and_restyled_per_date(tiny):
    towns = REGISTRY["towns"]
    data = towns.base_geojson(tiny)
    props = {f["properties"]["t"]: f["properties"] for f in data.features}
    assert [f["properties"]["t"] for f in data.features] == ["Alpha", "Bravo", "Charlie &lt;b&gt;"]
    assert props["Charlie &lt;b&gt;"]["t"] == "Charlie &lt;b&gt;"
    assert props["Alpha"]["f"][:2] == ["А", "100,000"] and "<!--status-->" in props["Alpha"]["f"]
    assert towns.assignment(tiny, View(dt.date(2022, 3, 1), "t", 7)) == {"0": "occupied"}
    assert towns.assignment(tiny, View(dt.date(2022, 3, 5), "t", 7)) == {"0": "occupied", "1": "occupied",
                                                                           "2": "contested"}
    masks = towns.masks(tiny, View(dt.date(2022, 3, 5), "t", 7))
    assert masks == {"occupied": bitmask(np.array([0, 1]), 3), "contested": bitmask(np.array([2]), 3)}
    assert bitmask(np.array([0, 1]), 3) == "Aw==" and bitmask(np.array([9]), 12) == "AAI="
    script = render(towns.feature_group(tiny, View(dt.date(2022, 3, 5), "t", 7)))
    assert '"contested": "BA=="' in script
    assert "opacity: 0" in render(towns.off_group(tiny))


def test_strike_popups_escape_script_and_refuse_javascript_links(tiny):
    data = REGISTRY["strikes"].geojson(tiny, View(dt.date(2022, 3, 5), "t", 1))
    assert [f["properties"]["s"] for f in data.features] == ["missile"]
    popup = " ".join(data.features[0]["properties"]["f"])
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in popup
    assert "<script" not in popup and "href=\"javascript" not in popup and "javascript:alert(1)" in popup
    html = render(REGISTRY["strikes"].feature_group(tiny, View(dt.date(2022, 3, 5), "t", 1)))
    assert "<script>window.__pwned" not in html


def test_link_and_table_helpers():
    assert link("https://a.org/x?y=1&z=2").startswith('<a href="https://a.org/x?y=1&amp;z=2"')
    assert link("javascript:alert(1)") == "javascript:alert(1)"
    assert popup_table("T", [("a", None), ("b", "")]) == '<div class="fl-popup"><b>T</b><table></table></div>'


def test_base_map_is_offline_and_deterministic():
    assert all(isinstance(lyr.legend(), list) for lyr in REGISTRY.values())
    a, b = base_map(), base_map()
    assert isinstance(a, OfflineMap)
    assert OfflineMap.default_js == [("leaflet", "/app/static/leaflet.js")]
    html = a.get_root().render()
    assert "/app/static/leaflet.js" in html and "cdn.jsdelivr" not in html
    assert len(html) == len(b.get_root().render())
    assert "&lt;x&gt;" in legend_html([("<x>", [("y", "#fff", "box")])])


def test_a_crowded_strike_window_summarises_older_strikes_per_cell(tiny, monkeypatch):
    import layers.strikes as strikes

    monkeypatch.setattr(strikes, "MAX_MARKERS", 2)
    data = REGISTRY["strikes"].geojson(tiny, View(dt.date(2022, 3, 5), "t", 7))
    kinds = [f["properties"]["s"] for f in data.features]
    assert kinds == ["cell", "cell", "artillery", "missile"]  # s1 and s2 lie in two 0.25-degree cells
    cells = {f["properties"]["f"][0]: f["properties"] for f in data.features[:2]}
    assert cells["2022-02-27 to 2022-02-27"]["t"] == "1 earlier strike in this area"
    assert cells["2022-02-27 to 2022-02-27"]["f"][4:7] == ["1", "2", "1 missile"]
    assert cells["2022-03-01 to 2022-03-01"]["f"][6] == "1 drone"


def test_many_towns_show_the_most_populous_first_and_the_rest_from_a_closer_zoom(tiny, monkeypatch):
    import layers.towns as towns_module

    monkeypatch.setattr(towns_module, "ALWAYS_SHOWN", 2)
    major, minor = REGISTRY["towns"].base_elements(tiny)
    assert [f["properties"]["t"] for f in major.data.features] == ["Alpha", "Bravo"]  # by population
    assert [f["properties"]["t"] for f in minor.data.features] == ["Charlie &lt;b&gt;"]
    assert (major.min_zoom, minor.min_zoom) == (None, towns_module.MINOR_ZOOM)
    assert major.registry == minor.registry and major.registry_reset and not minor.registry_reset
    m = OfflineMap()
    major.add_to(m)
    minor.add_to(m)
    script = m.get_root().render()
    assert 'on("zoomend", sync)' in script and ">= 9" in script
    assert REGISTRY["towns"].base_elements(tiny)[1].data is minor.data  # split once, cached
