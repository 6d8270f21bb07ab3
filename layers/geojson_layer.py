"""StyledGeoJson: one folium element that draws a FeatureCollection with per-feature styles.

Features reference a style by key (``s``) in a table sent once, may override the marker
radius (``r``) and opacity (``o``), and carry pre-escaped ``popup``, ``tooltip`` and
``label`` HTML. Compared with ``folium.GeoJson(style_function=...)`` this sends each style
once instead of a switch statement keyed by a unique property (which repeated every popup).
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template


class StyledGeoJson(MacroElement):
    """Polygons and circle markers in ``pane``, styled from ``styles`` by each feature's ``s``."""

    _template = Template("""{% macro script(this, kwargs) %}
    var {{ this.get_name() }} = (function() {
      var styles = {{ this.styles | tojson }};
      var pane = {{ this.pane | tojson }};
      function styleOf(p) {
        var s = Object.assign({pane: pane}, styles[p.s] || {});
        if (p.r !== undefined) { s.radius = p.r; }
        if (p.o !== undefined) { s.fillOpacity = p.o; s.opacity = p.o; }
        return s;
      }
      var registry = {{ this.registry | tojson }} ? (window[{{ this.registry | tojson }}] = {}) : null;
      var layer = L.geoJson(null, {
        pane: pane,
        interactive: {{ this.interactive | tojson }},
        style: function(f) { return styleOf(f.properties); },
        pointToLayer: function(f, latlng) {
          var options = Object.assign({interactive: {{ this.interactive | tojson }}}, styleOf(f.properties));
          return L.circleMarker(latlng, options);
        },
        onEachFeature: function(f, layer) {
          var p = f.properties;
          if (registry && p.id !== undefined) { registry[p.id] = layer; }
          if (p.popup) {
            layer.bindPopup(function(l) {
              return l.flStatus ? p.popup.replace("<!--status-->", l.flStatus) : p.popup;
            }, {maxWidth: 360});
          }
          if (p.label) {
            layer.bindTooltip(p.label, {permanent: true, direction: "right", offset: [4, 0],
                                        className: "fl-label", interactive: false});
          } else if (p.tooltip) {
            layer.bindTooltip(p.tooltip, {sticky: true});
          }
        }
      });
      function loaded(data) {
        layer.addData(data);
        var after = {{ this.registry | tojson }} && window[{{ this.registry | tojson }} + "_apply"];
        if (after) { after(); }  // a restyle that arrived before the data
      }
      {% if this.url %}fetch({{ this.url | tojson }}).then(function(r) { return r.json(); }).then(loaded);
      {% else %}loaded({{ this.data | tojson }});{% endif %}
      return layer;
    })();
    {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
    {% endmacro %}""")

    def __init__(self, data: dict | None, styles: dict[str, dict], pane: str, name: str = "layer",
                 registry: str | None = None, url: str | None = None, interactive: bool = True) -> None:
        super().__init__()
        self.interactive = interactive
        self.url = url  # when set, the data is fetched from this URL instead of embedded
        self.registry = registry  # when set, window[registry][feature id] is the feature's Leaflet layer
        self._name = "StyledGeoJson"
        self.layer_name = name
        self.data = data
        self.styles = styles
        self.pane = pane


class Restyle(MacroElement):
    """Restyle features of a registered StyledGeoJson by id (e.g. towns by their status at a date).

    ``assign`` maps feature id -> style key (features not listed take ``default``); ``notes``
    maps style key -> text put in the popup's ``<!--status-->`` slot. With ``visible`` false
    the whole registered layer is hidden. Sent per date instead of re-sending the features.
    """

    _template = Template("""{% macro script(this, kwargs) %}
    (window[{{ this.registry | tojson }} + "_apply"] = function() {
      var reg = window[{{ this.registry | tojson }}] || {};
      var styles = {{ this.styles | tojson }}, assign = {{ this.assign | tojson }};
      var notes = {{ this.notes | tojson }}, visible = {{ this.visible | tojson }};
      var def = {{ this.default | tojson }};
      Object.keys(reg).forEach(function(id) {
        var layer = reg[id], key = assign[id] || def;
        layer.setStyle(Object.assign({}, styles[key] || {}, visible ? {} : {opacity: 0, fillOpacity: 0}));
        layer.flStatus = notes[key] || "";
        var tip = layer.getTooltip();
        if (tip && tip.options.permanent) { visible ? layer.openTooltip() : layer.closeTooltip(); }
        if (layer._path) { layer._path.style.pointerEvents = visible ? "" : "none"; }
      });
    })();
    {% endmacro %}""")

    def __init__(self, registry: str, styles: dict[str, dict], assign: dict[str, str], default: str,
                 notes: dict[str, str], visible: bool = True) -> None:
        super().__init__()
        self._name = "Restyle"
        self.registry, self.styles, self.assign, self.default = registry, styles, assign, default
        self.notes, self.visible = notes, visible
