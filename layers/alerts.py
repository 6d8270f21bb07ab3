"""Air-raid alerts: oblasts shaded by the hours they spent under alert on the date (UTC day).

Available when the store holds an ``alerts`` table (``python -m geo import alerts``) and
oblast ``boundaries`` (``python -m geo import boundaries``).
"""

from __future__ import annotations

import folium
import geopandas as gpd

from geo import display
from geo.alerts import alert_hours
from geo.atlas import Atlas
from layers.base import MapLayer, View, geojson_group, popup_table, to_features
from layers.features import Features

# Hours under alert -> style key; drawn only when an oblast had an alert that day.
BANDS = ((12.0, "h12"), (6.0, "h6"), (1.0, "h1"), (0.0, "h0"))
STYLES = {
    "h0": {"fillColor": "#fde0c5", "color": "#e07b39", "weight": 1, "fillOpacity": 0.35},
    "h1": {"fillColor": "#facba6", "color": "#e07b39", "weight": 1, "fillOpacity": 0.45},
    "h6": {"fillColor": "#f59e72", "color": "#d0542a", "weight": 1, "fillOpacity": 0.5},
    "h12": {"fillColor": "#eb7250", "color": "#b8401f", "weight": 1.5, "fillOpacity": 0.55},
}
LABELS = {"h0": "Alert under 1 h", "h1": "Alert 1-6 h", "h6": "Alert 6-12 h", "h12": "Alert 12 h or more"}


def _band(hours: float) -> str:
    return next(key for floor, key in BANDS if hours >= floor)


class AlertsLayer(MapLayer):
    """Hours under air-raid alert per oblast on the date."""

    name = "alerts"
    title = "Air-raid alerts"
    pane = "changes"
    default_on = False

    def available(self, atlas: Atlas) -> bool:
        return atlas.table("alerts") is not None and self._oblasts(atlas) is not None

    def _oblasts(self, atlas: Atlas) -> gpd.GeoDataFrame | None:
        b = atlas.table("boundaries")
        if b is None or "level" not in b.columns:
            return None
        oblasts = b[b["level"] == "admin1"]
        if oblasts.empty:
            return None
        return atlas.cache.get(("alerts-oblasts",), lambda: display.simplify_zones(oblasts, 0.01))

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        oblasts = self._oblasts(atlas)
        hours = alert_hours(atlas.table("alerts"), view.date)
        out = oblasts.assign(hours=oblasts["admin1"].map(hours).fillna(0.0).to_numpy())
        return out[out["hours"] > 0]

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        def make() -> Features:
            rows = self.frame(atlas, view)
            recs = rows.to_dict("records")
            return to_features(rows, {
                "s": [_band(r["hours"]) for r in recs],
                "tooltip": [popup_table(r["admin1"], [("Under alert", f"{r['hours']:.1f} h")]) for r in recs],
            })

        data = atlas.cache.get(("alerts-geojson", view.date), make)
        return geojson_group(self.name, data, pane=self.pane, styles=STYLES)

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        if atlas is None or not self.available(atlas):
            return []
        return [(LABELS[k], STYLES[k]["fillColor"], "box") for k in ("h0", "h1", "h6", "h12")]
