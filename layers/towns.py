"""Towns: circle markers sized by population, filled by the status of the ground at the date."""

from __future__ import annotations

import math

import folium
import geopandas as gpd

from geo import timeline
from geo.atlas import Atlas
from layers.base import MapLayer, View, geojson_group, popup_table, text, to_features
from layers.style import STATUS_STYLE, TOWN_STATUS_COLOR

LABELLED_KINDS = ("capital", "oblast_centre")


def _radius(population: object) -> float:
    try:
        p = float(population)
    except (TypeError, ValueError):
        return 3.0
    return 3.0 if not p or math.isnan(p) else max(3.0, min(11.0, 1.6 * math.log10(p) - 3.5))


STYLES = {k: {"fillColor": c, "color": "#222222", "weight": 1, "fillOpacity": 0.95} for k, c in TOWN_STATUS_COLOR.items()}


def towns_at(atlas: Atlas, view: View) -> gpd.GeoDataFrame:
    """Towns with the status of the ground they stand on at ``view.date`` (a new frame)."""
    zones = timeline.control_at(atlas.control, view.date, view.source)
    out = atlas.towns.copy()
    out["status"] = timeline.town_status(out, zones).to_numpy()
    return out


class TownsLayer(MapLayer):
    """Towns and cities, with labels for the capital and oblast centres."""

    name = "towns"
    title = "Towns"
    pane = "towns"

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        return towns_at(atlas, view)

    def geojson(self, atlas: Atlas, view: View) -> dict:
        """Town features; cached per snapshot, since status only changes with the zones."""
        as_of = timeline.snapshot_at(atlas.control, view.date, view.source)

        def make() -> dict:
            towns = self.frame(atlas, view).sort_values("population", ascending=True, na_position="first")
            rows = towns.to_dict("records")
            return to_features(towns, {
                "s": [r["status"] for r in rows],
                "r": [_radius(r["population"]) for r in rows],
                "label": [text(r["name"]) if r["kind"] in LABELLED_KINDS else "" for r in rows],
                "tooltip": [text(r["name"]) for r in rows],
                "popup": [popup_table(r["name"], [
                    ("Ukrainian", r["name_uk"]), ("Population", _population(r["population"])),
                    ("Oblast", r["admin1"]), ("Kind", r["kind"]),
                    ("Ground at date", STATUS_STYLE.get(r["status"], {}).get("label", "Held by Ukraine")),
                    ("Source", r["source"]), ("Note", r["note"]),
                ]) for r in rows],
            })

        return atlas.cache.get(("towns-geojson", view.source, as_of), make)

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        return geojson_group(self.name, self.geojson(atlas, view), pane=self.pane, styles=STYLES)

    def legend(self, atlas: Atlas | None = None) -> list[tuple[str, str, str]]:
        return [("Town held by Ukraine", "#ffffff", "dot"),
                ("Town in occupied ground", STATUS_STYLE["occupied"]["color"], "dot")]


def _population(value: object) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
