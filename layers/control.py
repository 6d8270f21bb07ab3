"""Control zones: one polygon per status of the date's snapshot, simplified for display."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo import analysis, display
from geo.atlas import Atlas
from layers.base import MapLayer, View, geojson_group, text, to_features
from layers.features import Features
from layers.style import STATUS_STYLE, ZONE_OPACITY

FIELDS = ["Status", "Snapshot", "Area", "Source", "Note", "Reference"]
STYLES = {k: {"fillColor": v["color"], "color": v["color"], "weight": 1, "fillOpacity": ZONE_OPACITY, "opacity": 0.9,
              **v.get("line", {})} for k, v in STATUS_STYLE.items()}


class ControlLayer(MapLayer):
    """Territorial control at the date, from one source."""

    name = "control"
    title = "Control zones"
    pane = "zones"

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        return atlas.zones_at(view.date, view.source)

    def display_frame(self, atlas: Atlas, view: View, tolerance: float = display.DEFAULT_TOLERANCE) -> gpd.GeoDataFrame:
        """The date's zones simplified for display with their full-resolution km², cached per snapshot."""
        as_of = atlas.snapshot_at(view.date, view.source)

        def make() -> gpd.GeoDataFrame:
            zones = self.frame(atlas, view)
            out = display.simplify_zones(zones, tolerance)
            out["area_km2"] = analysis.areas_km2(zones.geometry.loc[out.index].values)
            return out

        return atlas.cache.get(("control-display", view.source, as_of, tolerance), make)

    def geojson(self, atlas: Atlas, view: View) -> Features:
        """The FeatureCollection sent to the map (cached per snapshot: slider steps reuse it)."""
        as_of = atlas.snapshot_at(view.date, view.source)

        def make() -> Features:
            zones = self.display_frame(atlas, view)
            order = zones["status"].map({s: i for i, s in enumerate(STATUS_STYLE)}).fillna(99)
            zones = zones.loc[order.sort_values(kind="stable").index]
            rows = zones.to_dict("records")
            return to_features(zones, {
                "s": [r["status"] for r in rows],
                "tooltip": [text(STATUS_STYLE.get(r["status"], {}).get("label", r["status"])) for r in rows],
                "t": [text(r["label"] or r["status"]) for r in rows],
                "f": [[text(r["status"]), text(r["as_of"]), f"{r['area_km2']:,.0f} km²", text(r["source"]),
                       text(r["note"]), text(r["source_url"])] for r in rows],
            })

        return atlas.cache.get(("control-geojson", view.source, as_of), make)

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        return geojson_group(self.name, self.geojson(atlas, view), pane=self.pane, styles=STYLES, fields=FIELDS)

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        if atlas is None:
            present = set(STATUS_STYLE)
        elif view is not None:
            present = set(atlas.zones_at(view.date, view.source)["status"])
        else:
            present = set(atlas.control_index["status"])
        return [(s["label"], s["color"], "box") for k, s in STATUS_STYLE.items() if k in present]
