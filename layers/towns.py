"""Towns: drawn once in the base map; each date only restyles them by the ground they stand on.

The markers (sized by population, labelled for the capital and oblast centres) and their
popups never change, so they live in the base map. Per date, a small :class:`Restyle`
element sends only the ids of towns whose ground is not held by Ukraine.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd

from geo import timeline
from geo.atlas import Atlas
from layers.base import MapLayer, View, popup_table, text, to_features
from layers.geojson_layer import Restyle, StyledGeoJson
from layers.style import STATUS_STYLE, TOWN_STATUS_COLOR

LABELLED_KINDS = ("capital", "oblast_centre")
REGISTRY = "flTowns"
STYLES = {k: {"fillColor": c, "color": "#222222", "weight": 1, "fillOpacity": 0.95, "opacity": 1}
          for k, c in TOWN_STATUS_COLOR.items()}
NOTES = {"free": "Held by Ukraine", **{k: v["label"] for k, v in STATUS_STYLE.items()}}


def _radius(population: object) -> float:
    try:
        p = float(population)
    except (TypeError, ValueError):
        return 3.0
    return 3.0 if not p or math.isnan(p) else round(max(3.0, min(11.0, 1.6 * math.log10(p) - 3.5)), 1)


def _population(value: object) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


def towns_at(atlas: Atlas, view: View) -> gpd.GeoDataFrame:
    """Towns with the status of the ground they stand on at ``view.date`` (a new frame)."""
    zones = atlas.zones_at(view.date, view.source)
    out = atlas.towns.copy()
    out["status"] = timeline.town_status(out, zones, atlas.land).to_numpy()
    return out


class TownsLayer(MapLayer):
    """Towns and cities, with labels for the capital and oblast centres."""

    name = "towns"
    title = "Towns"
    pane = "towns"

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        return towns_at(atlas, view)

    def base_geojson(self, atlas: Atlas) -> dict:
        """Every town once, smallest drawn last so big cities do not hide them; ids are row numbers."""
        towns = atlas.towns
        rows = towns.to_dict("records")
        order = sorted(range(len(rows)), key=lambda i: -(rows[i]["population"] or 0) if rows[i]["population"]
                       is not None and rows[i]["population"] == rows[i]["population"] else 0)
        data = to_features(towns, {
            "id": list(range(len(rows))),
            "s": ["free"] * len(rows),
            "r": [_radius(r["population"]) for r in rows],
            "label": [text(r["name"]) if r["kind"] in LABELLED_KINDS else "" for r in rows],
            "tooltip": [text(r["name"]) for r in rows],
            "popup": [popup_table(r["name"], [
                ("Ukrainian", r["name_uk"]), ("Population", _population(r["population"])),
                ("Oblast", r["admin1"]), ("Kind", r["kind"]), ("Ground at date", "<!--status-->"),
                ("Source", r["source"]), ("Note", r["note"]),
            ]).replace("&lt;!--status--&gt;", "<!--status-->") for r in rows],
        })
        data["features"] = [data["features"][i] for i in order]
        return data

    def base_elements(self, atlas: Atlas) -> list:
        data = atlas.cache.get(("towns-base",), lambda: self.base_geojson(atlas))
        return [StyledGeoJson(data, STYLES, self.pane, self.name, registry=REGISTRY)] if data["features"] else []

    def assignment(self, atlas: Atlas, view: View) -> dict[str, str]:
        """Row id -> status for towns not held by Ukraine; cached per snapshot."""
        as_of = atlas.snapshot_at(view.date, view.source)

        def make() -> dict[str, str]:
            status = self.frame(atlas, view)["status"].to_numpy()
            return {str(i): s for i, s in enumerate(status) if s != "free"}

        return atlas.cache.get(("towns-status", view.source, as_of), make)

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        group = folium.FeatureGroup(name=self.name, control=False)
        Restyle(REGISTRY, STYLES, self.assignment(atlas, view), "free", NOTES).add_to(group)
        return group

    def off_group(self, atlas: Atlas) -> folium.FeatureGroup:
        group = folium.FeatureGroup(name=self.name, control=False)
        Restyle(REGISTRY, STYLES, {}, "free", NOTES, visible=False).add_to(group)
        return group

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        return [("Town held by Ukraine", "#ffffff", "dot"),
                ("Town in occupied ground", STATUS_STYLE["occupied"]["color"], "dot"),
                ("Town in liberated ground", STATUS_STYLE["liberated"]["color"], "dot")]
