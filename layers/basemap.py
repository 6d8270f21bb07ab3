"""The base map: Leaflet from a local package, an offline vector basemap, and the legend.

Everything here is deterministic for a given data directory, so Streamlit reruns never
re-mount the map; what changes with the date goes into feature groups (``layers.*``).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import shutil
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from geo.atlas import DEFAULT_DATA, atomic_write
from layers.base import text
from layers.features import Features
from layers.geojson_layer import StyledGeoJson
from layers.style import BASEMAP, PANES

LEAFLET_PACKAGE = ("js_lib_leaflet", "static/js_lib_leaflet")
STATIC_URL = "/app/static"
UKRAINE_CENTER = (48.6, 31.5)
BOUNDS = [[44.2, 22.0], [52.5, 40.3]]


def leaflet_file(name: str) -> Path:
    """Path of ``leaflet.js`` or ``leaflet.css`` inside the django-js-lib-leaflet package."""
    package, folder = LEAFLET_PACKAGE
    return Path(str(importlib.resources.files(package).joinpath(folder, name)))


def ensure_static(folder: Path) -> None:
    """Copy Leaflet's JS and CSS into Streamlit's static folder when missing."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        if not (folder / name).exists():
            shutil.copyfile(leaflet_file(name), folder / name)


class AssetStore:
    """Publishes large, static JSON (outlines, towns) as files the map fetches once.

    Files are content-addressed (``<sha1>.json``) under ``folder``, served at ``url_prefix``
    (Streamlit's static serving), so the map script that Streamlit re-sends on each rerun
    stays small and the browser caches the data.
    """

    def __init__(self, folder: Path, url_prefix: str, budget_mb: float = 500) -> None:
        self.folder, self.url_prefix = folder, url_prefix.rstrip("/")
        self.budget = budget_mb * 1e6  # files beyond this many bytes are pruned, oldest first
        # id(data) -> (data, url), most recent last: data published again is not re-encoded
        self._published: OrderedDict[int, tuple[object, str]] = OrderedDict()
        self._written = 0  # bytes written since the last prune
        self._lock = threading.Lock()

    def publish(self, data: Features | dict | str) -> str:
        """Write ``data`` (once) and return its URL; the same (cached, unchanged) object is not re-encoded."""
        with self._lock:  # script runs and the prefetch worker publish concurrently
            known = self._published.get(id(data))
            if known is not None and known[0] is data:
                self._published.move_to_end(id(data))
                return known[1]
        url = self._write(data)
        with self._lock:
            self._published[id(data)] = (data, url)
            while len(self._published) > 64:  # bounded: the least recently published are let go
                self._published.popitem(last=False)
        return url

    def _write(self, data: Features | dict | str) -> str:
        if isinstance(data, Features):
            text = data.text
        else:
            text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        name = hashlib.sha1(text.encode("utf-8")).hexdigest()[:20] + ".json"
        target = self.folder / name
        if not target.exists():  # sessions publish concurrently: each writes its own temp file, then renames
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(target, lambda p: Path(p).write_text(text, "utf-8"))
            self._written += len(text)
            if self._written > self.budget / 10:
                self.prune()
        else:
            target.touch()  # in use again: pruned last
        return f"{self.url_prefix}/{name}"

    def prune(self, keep_s: float = 600) -> int:
        """Delete the least recently published files until the folder holds at most half the
        budget; files published in the last ``keep_s`` seconds are kept (a page may still fetch
        them). Returns the number of files deleted."""
        self._written = 0
        files = []
        for path in self.folder.glob("*.json"):
            try:
                stat = path.stat()
            except FileNotFoundError:  # pruned by another session
                continue
            files.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in files)
        if total <= self.budget:
            return 0
        deleted, now = 0, time.time()
        for mtime, size, path in sorted(files):
            if total <= self.budget / 2 or now - mtime < keep_s:
                break
            path.unlink(missing_ok=True)
            total -= size
            deleted += 1
        return deleted

    def publish_groups(self, groups: list, min_features: int = 50) -> None:
        """Publish the data of each group's StyledGeoJson with at least ``min_features`` features,
        so the browser fetches it over HTTP (cached, compressed) instead of receiving it inside
        the component's arguments; the previous layer stays drawn until the data arrives."""
        for group in groups:
            for element in list(getattr(group, "_children", {}).values()):
                data = getattr(element, "data", None)
                if isinstance(element, StyledGeoJson) and data is not None and len(data) >= min_features:
                    element.url, element.data, element.ghost = self.publish(data), None, True


class OfflineMap(folium.Map):
    """A folium Map that loads only Leaflet, from the app's own static files."""

    default_js = [("leaflet", f"{STATIC_URL}/leaflet.js")]
    default_css = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]


class Css(MacroElement):
    """Page CSS (sea colour behind the basemap, popup and label styles)."""

    _template = Template("""{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}""")

    def __init__(self, css: str) -> None:
        super().__init__()
        self._name = "Css"
        self.css = css


class Legend(MacroElement):
    """The map's legend as one Leaflet control, created once and refilled on each update.

    Sent with the date's feature groups, so it lists only the layers switched on while the
    base map stays the same; the open/closed state of the legend survives updates.
    """

    _template = Template("""{% macro script(this, kwargs) %}
    (function() {
      var map = {{ this._parent._parent.get_name() if this._parent._parent else this._parent.get_name() }};
      var html = {{ this.html | tojson }};
      var legend = map._flLegend;
      if (!legend) {
        legend = L.control({position: "bottomleft"});
        legend.onAdd = function() {
          var div = L.DomUtil.create("div", "fl-legend");
          div.innerHTML = "<details open><summary>Legend</summary><div class='fl-legend-body'></div></details>";
          L.DomEvent.disableClickPropagation(div);
          return div;
        };
        legend.addTo(map);
        map._flLegend = legend;
      }
      legend.getContainer().querySelector(".fl-legend-body").innerHTML = html;
    })();
    {% endmacro %}""")

    def __init__(self, sections: list[tuple[str, list[tuple[str, str, str]]]]) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend_html(sections)


class ForgetReplacedGroups(MacroElement):
    """Sent first with each update: empties ``window.feature_group``.

    streamlit-folium removes the previous update's groups from the map, then runs the new
    script, which pushes the new groups onto ``window.feature_group``; it never empties that
    array, so every replaced group stays referenced and each update iterates over all earlier
    ones (upstream issue #247: memory and time grow with every slider step). Emptying it here,
    after the removal and before the new pushes, keeps only the groups on the map.
    """

    _template = Template("""{% macro script(this, kwargs) %}
    window.feature_group = [];
    {% endmacro %}""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "ForgetReplacedGroups"


def legend_html(sections: list[tuple[str, list[tuple[str, str, str]]]]) -> str:
    """Escaped legend HTML: a heading per section and a swatch per entry."""
    parts = ["<div class='fl-legend-cols'>"]
    for heading, entries in sections:
        parts.append(f"<div class='fl-legend-sec'><div class='fl-legend-h'>{text(heading)}</div>")
        for label, color, shape in entries:
            radius = "50%" if shape == "dot" else "2px"
            parts.append(f"<div><i style='background:{text(color)};border-radius:{radius}'></i>{text(label)}</div>")
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


CSS = f"""
.leaflet-container {{ background: {BASEMAP['sea']}; font-family: system-ui, sans-serif; }}
.fl-legend {{ background: rgba(255,255,255,.9); padding: 4px 7px; border-radius: 4px; font-size: 10.5px;
  line-height: 15px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-height: 60vh; overflow-y: auto; }}
.fl-legend i {{ display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -2px;
  border: 1px solid #555; }}
.fl-legend-h {{ font-weight: 600; margin-top: 3px; }}
.fl-legend summary {{ cursor: pointer; font-weight: 600; }}
.fl-legend-cols {{ display: flex; flex-wrap: wrap; gap: 2px 12px; align-items: flex-start; max-width: 460px; }}
.fl-popup table {{ border-collapse: collapse; margin-top: 4px; font-size: 12px; }}
.fl-popup th {{ text-align: left; padding: 1px 8px 1px 0; color: #555; vertical-align: top; font-weight: 500; }}
.fl-popup td {{ padding: 1px 0; max-width: 240px; overflow-wrap: anywhere; }}
.fl-label {{ background: transparent; border: 0; box-shadow: none; font-size: 11px; font-weight: 600;
  color: #222; text-shadow: 0 0 3px #fff, 0 0 3px #fff; padding: 0; }}
.fl-label:before {{ display: none; }}
"""


@lru_cache(maxsize=8)
def outline_geojson(path: str, style_key: str) -> Features:
    """An outline file as features that use style ``style_key``."""
    geoms = gpd.read_file(path).geometry.values
    return Features.build(geoms, {"s": [style_key] * len(geoms)})


def outline_styles(tiles: bool) -> dict[str, dict]:
    """Basemap styles; with online tiles the fills are transparent so the tiles show."""
    fill = 0 if tiles else 1
    return {
        "neighbour": {"fillColor": BASEMAP["neighbour_fill"], "color": BASEMAP["neighbour_line"], "weight": 1,
                      "fillOpacity": fill},
        "country": {"fillColor": BASEMAP["country_fill"], "color": BASEMAP["country_line"], "weight": 1.5,
                    "fillOpacity": fill},
    }


def base_map(
    elements: list | None = None,
    *,
    tiles: bool = False,
    assets: AssetStore | None = None,
    boundaries: Path = DEFAULT_DATA / "boundaries",
    map_class: type[folium.Map] = OfflineMap,
) -> folium.Map:
    """The deterministic base map: outline of Ukraine and its neighbours, static layers, optional tiles.

    With ``assets``, the data of every StyledGeoJson (outlines, towns) is published as a static
    file and fetched by the browser once, instead of being embedded in the map script.
    """
    m = map_class(location=UKRAINE_CENTER, zoom_start=6, tiles=None, control_scale=True,
                  prefer_canvas=False, min_zoom=4, max_zoom=14)
    m.add_child(Css(CSS))
    for pane, z_index in PANES.items():
        folium.map.CustomPane(pane, z_index=z_index).add_to(m)
    styles = outline_styles(tiles)
    outlines = [
        StyledGeoJson(outline_geojson(str(boundaries / "neighbours.geojson"), "neighbour"), styles, "basemap",
                      "neighbours", interactive=False),
        StyledGeoJson(outline_geojson(str(boundaries / "ukraine.geojson"), "country"), styles, "basemap",
                      "country", interactive=False),
    ]
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False, opacity=0.9).add_to(m)
    for element in outlines + list(elements or []):
        if assets is not None and isinstance(element, StyledGeoJson) and element.data is not None:
            element.url, element.data = assets.publish(element.data), None
        m.add_child(element)
    m.fit_bounds(BOUNDS)
    return m
