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
      return L.geoJson({{ this.data | tojson }}, {
        pane: pane,
        style: function(f) { return styleOf(f.properties); },
        pointToLayer: function(f, latlng) { return L.circleMarker(latlng, styleOf(f.properties)); },
        onEachFeature: function(f, layer) {
          var p = f.properties;
          if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 360}); }
          if (p.label) {
            layer.bindTooltip(p.label, {permanent: true, direction: "right", offset: [4, 0],
                                        className: "fl-label", interactive: false});
          } else if (p.tooltip) {
            layer.bindTooltip(p.tooltip, {sticky: true});
          }
        }
      });
    })();
    {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
    {% endmacro %}""")

    def __init__(self, data: dict, styles: dict[str, dict], pane: str, name: str = "layer") -> None:
        super().__init__()
        self._name = "StyledGeoJson"
        self.layer_name = name
        self.data = data
        self.styles = styles
        self.pane = pane
