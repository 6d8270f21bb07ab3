"""Strikes: markers coloured by kind, sized by casualties, fading with age in the window."""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd

from geo import timeline
from geo.atlas import Atlas
from layers.base import MapLayer, View, geojson_group, link, text, to_features
from layers.style import STRIKE_STYLE

FIELDS = ["Time", "Weapon", "Target", "Oblast", "Killed", "Injured", "What happened", "Location", "Source", "Link"]
STYLES = {k: {"fillColor": v["color"], "color": "#111111", "weight": 1.5} for k, v in STRIKE_STYLE.items()}


def _radius(killed: object, injured: object) -> float:
    hurt = sum(0 if v is None or v is pd.NA else float(v) for v in (killed, injured))
    return round(min(16.0, 5.0 + 1.5 * math.sqrt(hurt)), 1)


def _title(row: dict) -> str:
    return f"{row['kind'].replace('_', ' ').capitalize()} strike, {row['place'] or 'unknown place'}"


class StrikesLayer(MapLayer):
    """Strikes reported in the window that ends at the date."""

    name = "strikes"
    title = "Strikes"
    pane = "strikes"

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        return timeline.strikes_in(atlas.strikes, view.date, view.window_days)

    def geojson(self, atlas: Atlas, view: View) -> dict:
        """Strike features of the window; newest on top, older ones fainter."""
        strikes = self.frame(atlas, view).sort_values("time")
        end = timeline.end_of_day(view.date)
        rows = strikes.to_dict("records")
        ages = [(end - r["time"]).total_seconds() / 86400 for r in rows]
        return to_features(strikes, {
            "s": [r["kind"] for r in rows],
            "r": [_radius(r["killed"], r["injured"]) for r in rows],
            "o": [round(max(0.35, 1 - 0.65 * a / view.window_days), 2) for a in ages],
            "t": [text(f"{_title(r)}, {r['time']:%Y-%m-%d}") for r in rows],  # also the tooltip
            "f": [[r["time"].strftime("%Y-%m-%d") if r["time_precision"] == "day"
                   else r["time"].strftime("%Y-%m-%d %H:%M UTC"),
                   text(r["weapon"]), text(r["target"]), text(r["admin1"]), text(r["killed"]), text(r["injured"]),
                   text(r["description"]), text(r["location_precision"]), text(r["source"]), link(r["source_url"])]
                  for r in rows],
        })

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        return geojson_group(self.name, self.geojson(atlas, view), pane=self.pane, styles=STYLES, fields=FIELDS)

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        if atlas is None:
            present = set(STRIKE_STYLE)
        elif view is not None:
            present = set(self.frame(atlas, view)["kind"])
        else:
            present = set(atlas.strikes["kind"])
        return [(s["label"], s["color"], "dot") for k, s in STRIKE_STYLE.items() if k in present]
