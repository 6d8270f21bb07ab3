"""StyledGeoJson and Restyle: the folium elements that draw our layers.

Features reference a style by key (``s``) in a table sent once, may override the marker
radius (``r``) and opacity (``o``), and carry pre-escaped text: ``tooltip``, ``label``
(a permanent label) and either a whole ``popup`` or, more compactly, a popup title ``t``
and values ``f`` that the browser lays out against the layer's ``fields`` labels. Every
string is escaped on the server (``layers.base.text``); the browser only concatenates.
Compared with ``folium.GeoJson(style_function=...)``, each style is sent once instead of a
switch statement keyed by a unique property (which repeated every popup).
"""

from __future__ import annotations

import base64

import numpy as np
from branca.element import MacroElement
from jinja2 import Template

from layers.features import Features

# Above this many point features, markers are drawn on a canvas instead of as SVG elements.
CANVAS_POINTS = 2000


class StyledGeoJson(MacroElement):
    """Polygons and circle markers in ``pane``, styled from ``styles`` by each feature's ``s``."""

    _template = Template("""{% macro script(this, kwargs) %}
    var {{ this.get_name() }} = (function() {
      var styles = {{ this.styles | tojson }};
      var pane = {{ this.pane | tojson }};
      var fields = {{ this.fields | tojson }};
      var renderer = {{ this.canvas | tojson }} ? L.canvas({pane: pane}) : undefined;
      function styleOf(p) {
        var s = Object.assign({pane: pane}, styles[p.s] || {});
        if (p.r !== undefined) { s.radius = p.r; }
        if (p.o !== undefined) { s.fillOpacity = p.o; s.opacity = p.o; }
        return s;
      }
      function cell(value) {  // values arrive escaped; an http(s) URL becomes a link
        return /^https?:\\/\\//i.test(value)
          ? '<a href="' + value + '" target="_blank" rel="noopener noreferrer">' + value + '</a>' : value;
      }
      function popupOf(p) {
        if (p.popup) { return p.popup; }
        var rows = fields.map(function(label, i) {
          return p.f[i] ? "<tr><th>" + label + "</th><td>" + cell(p.f[i]) + "</td></tr>" : "";
        });
        return "<div class='fl-popup'><b>" + p.t + "</b><table>" + rows.join("") + "</table></div>";
      }
      var registry = {{ this.registry | tojson }} ? (window[{{ this.registry | tojson }}] =
        {{ this.registry_reset | tojson }} ? {} : (window[{{ this.registry | tojson }}] || {})) : null;
      var layer = L.geoJson(null, {
        pane: pane,
        interactive: {{ this.interactive | tojson }},
        style: function(f) { return styleOf(f.properties); },
        pointToLayer: function(f, latlng) {
          var options = Object.assign({interactive: {{ this.interactive | tojson }}, renderer: renderer},
                                      styleOf(f.properties));
          return L.circleMarker(latlng, options);
        },
        onEachFeature: function(f, layer) {
          var p = f.properties;
          if (registry && p.id !== undefined) { registry[p.id] = layer; }
          if (p.popup || p.f) {
            layer.bindPopup(function(l) {
              var html = popupOf(p);
              return l.flStatus ? html.replace("<!--status-->", l.flStatus) : html;
            }, {maxWidth: 360});
          }
          if (p.label) {
            layer.bindTooltip(p.label, {permanent: true, direction: "right", offset: [4, 0],
                                        className: "fl-label", interactive: false});
          } else if (p.tooltip || p.t) {
            layer.bindTooltip(p.tooltip || p.t, {sticky: true});
          }
        }
      });
      {% if this.ghost %}// until the fetched data is drawn, keep the previous layer of this name on the map
      var shown = window.__flShown = window.__flShown || {};
      var prev = shown[{{ this.layer_name | tojson }}], ghost = null;
      if (prev && prev !== layer && !prev._map) { ghost = prev.addTo({{ this._parent._parent.get_name() }}); }
      shown[{{ this.layer_name | tojson }}] = layer;
      {% endif %}function loaded(data) {
        layer.addData(data);
        {% if this.ghost %}if (ghost) { ghost.remove(); ghost = null; }{% endif %}
        var after = {{ this.registry | tojson }} && window[{{ this.registry | tojson }} + "_apply"];
        if (after) { after(); }  // a restyle that arrived before the data
      }
      function load() {
        {% if this.url %}fetch({{ this.url | tojson }}).then(function(r) { return r.json(); }).then(loaded);
        {% else %}loaded({{ this.data.inline }});{% endif %}
      }
      {% if this.min_zoom %}// shown (and fetched, the first time) only from zoom {{ this.min_zoom }} in
      var parent = {{ this._parent.get_name() }}, requested = false;
      function sync() {
        var map = parent._map || parent, want = map.getZoom() >= {{ this.min_zoom }};
        if (want && !requested) { requested = true; load(); }
        if (want !== parent.hasLayer(layer)) { want ? parent.addLayer(layer) : parent.removeLayer(layer); }
      }
      (parent._map || parent).on("zoomend", sync);
      setTimeout(sync, 0);
      {% else %}load();
      {% endif %}return layer;
    })();
    {% if not this.min_zoom %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
    {% endmacro %}""")

    def __init__(self, data: Features | None, styles: dict[str, dict], pane: str, name: str = "layer",
                 registry: str | None = None, url: str | None = None, interactive: bool = True,
                 fields: list[str] | None = None, min_zoom: int | None = None, registry_reset: bool = True) -> None:
        super().__init__()
        self._name = "StyledGeoJson"
        self.layer_name = name
        self.data = data
        self.styles = styles
        self.pane = pane
        self.interactive = interactive
        self.url = url  # when set, the data is fetched from this URL instead of embedded
        self.ghost = False  # with url: keep the previous layer of this name shown until the data arrives
        self.registry = registry  # when set, window[registry][feature id] is the feature's Leaflet layer
        self.registry_reset = registry_reset  # False: add to the registry the layer before this one started
        self.min_zoom = min_zoom  # when set, drawn (and its data fetched) only at this zoom or closer
        self.fields = fields or []  # escaped popup labels for features that carry ``t`` and ``f``
        self.canvas = data is not None and data.points > CANVAS_POINTS


def bitmask(ids: np.ndarray, size: int) -> str:
    """Row ids as a base64 bitmask of ``size`` bits (bit i of byte i // 8, least significant first)."""
    bits = np.zeros(size, dtype=bool)
    bits[ids] = True
    return base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode("ascii")


class Restyle(MacroElement):
    """Restyle features of a registered StyledGeoJson by id (e.g. towns by their status at a date).

    ``masks`` maps style key -> base64 bitmask of feature ids (``bitmask``), 4 KB per key for
    30,000 towns instead of a list of ids; features in no mask take ``default``. ``notes``
    maps style key -> text put in the popup's ``<!--status-->`` slot. With ``visible`` false
    the whole registered layer is hidden. Only features whose key changed are restyled.
    """

    _template = Template("""{% macro script(this, kwargs) %}
    (window[{{ this.registry | tojson }} + "_apply"] = function() {
      var reg = window[{{ this.registry | tojson }}] || {};
      var styles = {{ this.styles | tojson }}, masks = {{ this.masks | tojson }};
      var notes = {{ this.notes | tojson }}, visible = {{ this.visible | tojson }};
      var def = {{ this.default | tojson }};
      var keyOf = {};
      Object.keys(masks).forEach(function(key) {
        var bytes = atob(masks[key]);
        for (var b = 0; b < bytes.length; b++) {
          var byte = bytes.charCodeAt(b);
          for (var bit = 0; byte && bit < 8; bit++) {
            if (byte & (1 << bit)) { keyOf[b * 8 + bit] = key; }
          }
        }
      });
      Object.keys(reg).forEach(function(id) {
        var layer = reg[id], key = keyOf[id] || def, state = key + (visible ? "" : "/hidden");
        if (layer.flState === state) { return; }
        layer.flState = state;
        layer.setStyle(Object.assign({}, styles[key] || {}, visible ? {} : {opacity: 0, fillOpacity: 0}));
        layer.flStatus = notes[key] || "";
        var tip = layer.getTooltip();
        if (tip && tip.options.permanent) { visible ? layer.openTooltip() : layer.closeTooltip(); }
        if (layer._path) { layer._path.style.pointerEvents = visible ? "" : "none"; }
      });
    })();
    {% endmacro %}""")

    def __init__(self, registry: str, styles: dict[str, dict], masks: dict[str, str], default: str,
                 notes: dict[str, str], visible: bool = True) -> None:
        super().__init__()
        self._name = "Restyle"
        self.registry, self.styles, self.masks, self.default = registry, styles, masks, default
        self.notes, self.visible = notes, visible
