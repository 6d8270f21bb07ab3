"""Changes: ground gained and lost between two dates, and where two sources disagree, with a summary box.

Both layers draw full-resolution results of ``geo.changes`` simplified for display, cached per
(source, snapshot, snapshot): slider steps that stay on the same snapshots re-send the cached
FeatureCollection. The summary box is a Leaflet control that lives inside the feature group,
so it disappears with the group when the layer is switched off or the date changes.
"""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo import changes, display, model, timeline
from geo.atlas import Atlas
from layers.base import MapLayer, View, popup_table, text, to_features
from layers.features import Features
from layers.geojson_layer import StyledGeoJson

TOLERANCE = 0.0005  # degrees (~50 m): change pieces are small, keep their shape
GAIN, LOSS = "#d7191c", "#2c7bb6"  # red: the invading force gained; blue: it lost (the defender gained)
CHANGE_STYLE: dict[str, dict[str, str]] = {
    "gain": {"color": GAIN, "fill": GAIN, "label": "Gained by the invading force"},
    "loss": {"color": LOSS, "fill": LOSS, "label": "Lost by the invading force"},
    "contested_gain": {"color": GAIN, "fill": "#f4a582", "label": "Grey zone appeared"},
    "contested_loss": {"color": LOSS, "fill": "#92c5de", "label": "Grey zone vanished"},
}
STYLES = {
    **{k: {"fillColor": v["fill"], "color": v["color"], "weight": 1.5, "fillOpacity": 0.65, "opacity": 1,
           **({"dashArray": "4 3", "fillOpacity": 0.4} if k.startswith("contested") else {})}
       for k, v in CHANGE_STYLE.items()},
    "town_invader": {"fillColor": GAIN, "color": "#111111", "weight": 2, "radius": 6, "fillOpacity": 1},
    "town_defender": {"fillColor": LOSS, "color": "#111111", "weight": 2, "radius": 6, "fillOpacity": 1},
    "town_contested": {"fillColor": "#9e9e9e", "color": "#111111", "weight": 2, "radius": 6, "fillOpacity": 1},
}
COMPARE_STYLE = {"a_only": "#7b3294", "b_only": "#008837"}
COMPARE_STYLES = {k: {"fillColor": c, "color": c, "weight": 1.5, "fillOpacity": 0.55, "opacity": 1}
                  for k, c in COMPARE_STYLE.items()}


def display_geoms(geoms: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray:
    """Geometries simplified for drawing and snapped to the display grid (empty ones stay empty)."""
    simple = shapely.simplify(np.asarray(geoms, dtype=object), tolerance, preserve_topology=True)
    return shapely.set_precision(simple, display.PRECISION)


class SummaryBox(MacroElement):
    """A box of pre-escaped HTML in a map corner that comes and goes with its feature group."""

    _template = Template("""{% macro script(this, kwargs) %}
    var {{ this.get_name() }} = (function() {
      var html = {{ this.html | tojson }}, position = {{ this.position | tojson }};
      var Box = L.Layer.extend({
        onAdd: function(map) {
          this._control = L.control({position: position});
          this._control.onAdd = function() {
            var div = L.DomUtil.create("div", "fl-summary");
            div.style.cssText = "background:rgba(255,255,255,.93);padding:6px 9px;border-radius:4px;" +
              "font-size:12px;line-height:17px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:320px";
            div.innerHTML = html;
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          this._control.addTo(map);
        },
        onRemove: function() { if (this._control) { this._control.remove(); this._control = null; } }
      });
      return new Box();
    })();
    {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
    {% endmacro %}""")

    def __init__(self, html: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "SummaryBox"
        self.html = html
        self.position = position


def summary_html(title: str, rows: list[tuple[str, str]], note: str = "") -> str:
    """Escaped summary box HTML: a bold title, label/value lines and an optional note."""
    lines = "".join(f"<div>{text(k)}: <b>{text(v)}</b></div>" for k, v in rows)
    return f"<b>{text(title)}</b>{lines}" + (f"<div style='color:#555'>{text(note)}</div>" if note else "")


def comparison_dates(atlas: Atlas, view: View) -> tuple[dt.date, dt.date] | None:
    """(D1, D2) for the view: its ``compare_to`` and date in order, or the last snapshot day before the date's."""
    if view.compare_to is not None:
        d1, d2 = sorted((timeline.to_date(view.compare_to), timeline.to_date(view.date)))
        return (d1, d2) if d1 < d2 else None
    as_of = atlas.snapshot_at(view.date, view.source)
    if as_of is None:
        return None
    earlier = [t for t in atlas.snapshots(view.source) if t.date() < as_of.date()]
    return (earlier[-1].date(), timeline.to_date(view.date)) if earlier else None


def _km2(value: float) -> str:
    return f"{value:,.1f} km²" if abs(value) < 100 else f"{value:,.0f} km²"


class ChangesLayer(MapLayer):
    """Ground gained and lost by the invading force between the comparison date and the date."""

    name = "changes"
    title = "Changes"
    pane = "changes"
    default_on = False

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        dates = comparison_dates(atlas, view)
        if dates is None or not view.source:
            return gpd.GeoDataFrame({"change": [], "area_km2": [], "admin1": []}, geometry=[], crs=model.CRS)
        return changes.diff(atlas, *dates, view.source).zones

    def geojson(self, d: changes.Diff) -> Features:
        """Change polygons (simplified) and towns that changed hands; cached per snapshot pair."""
        zones = d.zones
        geoms = display_geoms(zones.geometry.values)
        keep = ~shapely.is_empty(geoms)
        zones = zones.assign(geometry=geoms)[keep]
        rows = zones.to_dict("records")
        period = f"{d.snapshot_from:%Y-%m-%d} → {d.snapshot_to:%Y-%m-%d}"
        polys = to_features(zones, {
            "s": [r["change"] for r in rows],
            "tooltip": [text(f"{CHANGE_STYLE[r['change']]['label']}: {_km2(r['area_km2'])}") for r in rows],
            "popup": [popup_table(CHANGE_STYLE[r["change"]]["label"], [
                ("Area", _km2(r["area_km2"])), ("Oblast", r["admin1"]), ("Snapshots", period),
                ("Source", d.source)]) for r in rows],
        })
        towns = d.towns.to_dict("records")
        points = to_features(d.towns, {
            "s": [f"town_{changes.SIDE.get(r['status_to'], changes.DEFENDER)}" for r in towns],
            "tooltip": [text(f"{r['name']}: {r['status_from']} → {r['status_to']}") for r in towns],
            "popup": [popup_table(r["name"], [
                ("Change", f"{r['status_from']} → {r['status_to']}"), ("Population", _population(r["population"])),
                ("Oblast", r["admin1"]), ("Snapshots", period)]) for r in towns],
        })
        return polys + points

    def summary(self, d: changes.Diff) -> str:
        """The summary box of a diff."""
        t = d.totals()
        dropped = sum(s["count"] for s in d.slivers.values())
        return summary_html(f"{d.source}: {d.snapshot_from:%d %b %Y} → {d.snapshot_to:%d %b %Y}", [
            ("Gained by the invading force", _km2(t["gain"])), ("Lost by the invading force", _km2(t["loss"])),
            ("Net", ("+" if t["net"] >= 0 else "−") + _km2(abs(t["net"]))),
            ("Grey zone appeared / vanished", f"{_km2(t['contested_gain'])} / {_km2(t['contested_loss'])}"),
            ("Towns that changed hands", str(len(d.towns))),
        ], note=f"{dropped} sliver(s) under {changes.SLIVER_KM2} km² or {changes.SLIVER_WIDTH_M:.0f} m wide hidden")

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        group = folium.FeatureGroup(name=self.name, control=False)
        dates = comparison_dates(atlas, view) if view.source else None
        if dates is None:
            SummaryBox(summary_html("Changes", [], "No earlier snapshot to compare with; pick a comparison date.")
                       ).add_to(group)
            return group
        try:
            d = changes.diff(atlas, *dates, view.source)
        except model.DataError as exc:
            SummaryBox(summary_html("Changes", [], str(exc))).add_to(group)
            return group
        data = atlas.cache.get(("changes-geojson", d.source, d.snapshot_from, d.snapshot_to), lambda: self.geojson(d))
        if len(data):
            StyledGeoJson(data, STYLES, self.pane, self.name).add_to(group)
        SummaryBox(self.summary(d)).add_to(group)
        return group

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        return [(s["label"], s["fill"], "box") for s in CHANGE_STYLE.values()] + [
            ("Town taken by the invading force", GAIN, "dot"), ("Town retaken by Ukraine", LOSS, "dot")]


def _population(value: object) -> str:
    return "" if value is None or value is pd.NA or value != value else f"{int(value):,}"


def other_source(atlas: Atlas, view: View) -> str | None:
    """The source compared with the view's: the next one (most snapshots first) with a snapshot by the date."""
    for name in atlas.sources:
        if name != view.source and atlas.snapshot_at(view.date, name) is not None:
            return name
    return None


class DisagreementLayer(MapLayer):
    """Ground one source marks as held and another does not, at the date."""

    name = "disagreement"
    title = "Where sources disagree"
    pane = "changes"
    default_on = False

    def geojson(self, c: changes.Comparison) -> Features:
        zones = c.zones
        geoms = display_geoms(zones.geometry.values)
        zones = zones.assign(geometry=geoms)[~shapely.is_empty(geoms)]
        rows = zones.to_dict("records")
        return to_features(zones, {
            "s": [r["change"] for r in rows],
            "tooltip": [text(f"Held according to {r['held_by']} only: {_km2(r['area_km2'])}") for r in rows],
            "popup": [popup_table(f"Held according to {r['held_by']} only", [
                ("Area", _km2(r["area_km2"])), ("Oblast", r["admin1"]),
                (c.a, f"{c.snapshot_a:%Y-%m-%d %H:%M} UTC"), (c.b, f"{c.snapshot_b:%Y-%m-%d %H:%M} UTC")])
                for r in rows],
        })

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        group = folium.FeatureGroup(name=self.name, control=False)
        other = other_source(atlas, view) if view.source else None
        if other is None or atlas.snapshot_at(view.date, view.source) is None:
            SummaryBox(summary_html("Sources", [], "A second source with a snapshot by this date is needed."),
                       "bottomright").add_to(group)
            return group
        c = changes.compare_sources(atlas, view.date, view.source, other)
        data = atlas.cache.get(("disagreement-geojson", c.a, c.snapshot_a, c.b, c.snapshot_b), lambda: self.geojson(c))
        if len(data):
            StyledGeoJson(data, COMPARE_STYLES, self.pane, self.name).add_to(group)
        f = c.figures()
        SummaryBox(summary_html(f"{c.a} vs {c.b} on {c.date:%d %b %Y}", [
            (f"Held according to {c.a}", _km2(f["held_a"])), (f"Held according to {c.b}", _km2(f["held_b"])),
            ("Both agree", _km2(f["both"])), (f"{c.a} only", _km2(f["a_only"])), (f"{c.b} only", _km2(f["b_only"])),
        ]), "bottomright").add_to(group)
        return group

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        if atlas is not None and len(atlas.sources) < 2:
            return []
        return [("Held according to the selected source only", COMPARE_STYLE["a_only"], "box"),
                ("Held according to the other source only", COMPARE_STYLE["b_only"], "box")]
