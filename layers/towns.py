"""Towns: drawn once in the base map; each date only restyles them by the ground they stand on.

The markers (sized by population, labelled for the capital and oblast centres) and their
popups never change, so they live in the base map. Per date, a small :class:`Restyle`
element sends only the ids of towns whose ground is not held by Ukraine.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo import timeline
from geo.atlas import Atlas
from layers.base import MapLayer, View, texts, to_features
from layers.features import Features
from layers.geojson_layer import Restyle, StyledGeoJson, bitmask
from layers.style import STATUS_STYLE, TOWN_STATUS_COLOR

LABELLED_KINDS = ("capital", "oblast_centre")
REGISTRY = "flTowns"
ALWAYS_SHOWN = 2000  # beyond this many towns, the others are drawn only from zoom MINOR_ZOOM in
MINOR_ZOOM = 9
STYLES = {k: {"fillColor": c, "color": "#222222", "weight": 1, "fillOpacity": 0.95, "opacity": 1}
          for k, c in TOWN_STATUS_COLOR.items()}
NOTES = {"free": "Held by Ukraine", **{k: v["label"] for k, v in STATUS_STYLE.items()}}
FIELDS = ["Ukrainian", "Population", "Oblast", "Kind", "Ground at date", "Source", "Note"]


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


def town_statuses(atlas: Atlas, view: View) -> np.ndarray:
    """The ground under each town (row order) at ``view``; cached per snapshot, with one
    spatial index of the towns for all snapshots."""
    def make() -> np.ndarray:
        tree = atlas.cache.get(("towns-tree",), lambda: shapely.STRtree(atlas.towns.geometry.values))
        zones = atlas.zones_at(view.date, view.source)
        return timeline.town_status(atlas.towns, zones, atlas.land, tree=tree).to_numpy()

    return atlas.cache.get(("towns-status", view.source, atlas.snapshot_at(view.date, view.source)), make)


def towns_at(atlas: Atlas, view: View) -> gpd.GeoDataFrame:
    """Towns with the status of the ground they stand on at ``view.date`` (a new frame)."""
    return atlas.towns.assign(status=town_statuses(atlas, view))


class TownsLayer(MapLayer):
    """Towns and cities, with labels for the capital and oblast centres."""

    name = "towns"
    title = "Towns"
    pane = "towns"

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        return towns_at(atlas, view)

    def base_geojson(self, atlas: Atlas) -> Features:
        """Every town once, biggest first so small ones are drawn on top; ids are row numbers.

        Popups are sent as escaped values (``t``, ``f``) laid out in the browser against
        ``FIELDS``; the ``<!--status-->`` slot receives the ground at the date.
        """
        towns = atlas.towns
        n = len(towns)
        pop = towns["population"].astype("Float64").fillna(0).to_numpy()
        name = texts(towns["name"])
        labelled = towns["kind"].isin(LABELLED_KINDS).to_numpy()
        columns = [texts(towns[c]) for c in ("name_uk", "admin1", "kind", "source", "note")]
        population = [_population(p) if p else "" for p in pop]
        data = to_features(towns, {  # the tooltip is the popup title ``t``
            "id": list(range(n)),
            "s": ["free"] * n,
            "r": [_radius(p) for p in pop],
            "label": [v if keep else "" for v, keep in zip(name, labelled, strict=True)],
            "t": name,
            "f": [[uk, p, oblast, kind, "<!--status-->", src, note]
                  for uk, p, oblast, kind, src, note in zip(columns[0], population, *columns[1:], strict=True)],
        })
        return data.take(np.argsort(-pop, kind="stable"))

    def base_elements(self, atlas: Atlas) -> list:
        data = atlas.cache.get(("towns-base",), lambda: self.base_geojson(atlas))
        if not len(data):
            return []
        if len(data) <= ALWAYS_SHOWN:
            return [StyledGeoJson(data, STYLES, self.pane, self.name, registry=REGISTRY, fields=FIELDS)]
        # many towns: the most populous always, the rest (fetched on first use) once zoomed in
        major, minor = atlas.cache.get(("towns-base-split",), lambda: (
            data.take(range(ALWAYS_SHOWN)), data.take(range(ALWAYS_SHOWN, len(data)))))
        return [StyledGeoJson(major, STYLES, self.pane, self.name, registry=REGISTRY, fields=FIELDS),
                StyledGeoJson(minor, STYLES, self.pane, self.name, registry=REGISTRY, fields=FIELDS,
                              min_zoom=MINOR_ZOOM, registry_reset=False)]

    def statuses(self, atlas: Atlas, view: View) -> np.ndarray:
        """The ground under each town (row order) at ``view``; cached per snapshot."""
        return town_statuses(atlas, view)

    def assignment(self, atlas: Atlas, view: View) -> dict[str, str]:
        """Row id -> status for towns not held by Ukraine."""
        return {str(i): s for i, s in enumerate(self.statuses(atlas, view)) if s != "free"}

    def masks(self, atlas: Atlas, view: View) -> dict[str, str]:
        """Status -> bitmask of the towns on such ground (free towns are the default); cached."""
        as_of = atlas.snapshot_at(view.date, view.source)

        def make() -> dict[str, str]:
            status = self.statuses(atlas, view)
            return {s: bitmask(np.flatnonzero(status == s), len(status)) for s in set(status) - {"free"}}

        return atlas.cache.get(("towns-masks", view.source, as_of), make)

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        group = folium.FeatureGroup(name=self.name, control=False)
        Restyle(REGISTRY, STYLES, self.masks(atlas, view), "free", NOTES).add_to(group)
        return group

    def off_group(self, atlas: Atlas) -> folium.FeatureGroup:
        group = folium.FeatureGroup(name=self.name, control=False)
        Restyle(REGISTRY, STYLES, {}, "free", NOTES, visible=False).add_to(group)
        return group

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        return [("Town held by Ukraine", "#ffffff", "dot"),
                ("Town in occupied ground", STATUS_STYLE["occupied"]["color"], "dot"),
                ("Town in liberated ground", STATUS_STYLE["liberated"]["color"], "dot")]
