"""The front line at the date: where occupied or contested ground meets the rest of Ukraine."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely

from geo import analysis, frontline, model
from geo.atlas import Atlas
from layers.base import MapLayer, View, geojson_group, popup_table, text, to_features
from layers.changes import display_geoms
from layers.features import Features

COLOR = "#111111"
STYLES = {"front": {"color": COLOR, "weight": 3, "opacity": 0.9, "lineCap": "round"}}


class FrontlineLayer(MapLayer):
    """The front line of the date's snapshot, with its geodesic length."""

    name = "frontline"
    title = "Front line"
    pane = "changes"
    default_on = False

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        """One row: the snapshot's front line (full resolution) and its length in km; none before the first."""
        as_of = atlas.snapshot_at(view.date, view.source)

        def make() -> gpd.GeoDataFrame:
            if as_of is None:
                return gpd.GeoDataFrame({"as_of": [], "length_km": []}, geometry=[], crs=model.CRS)
            line = frontline.frontline(atlas.zones_at(view.date, view.source))
            return gpd.GeoDataFrame({"as_of": [as_of], "length_km": [analysis.length_km(line)]},
                                    geometry=[line], crs=model.CRS)

        return atlas.cache.get(("frontline", view.source, as_of), make)

    def geojson(self, atlas: Atlas, view: View) -> Features:
        """The line simplified for display (cached per snapshot)."""
        as_of = atlas.snapshot_at(view.date, view.source)

        def make() -> Features:
            front = self.frame(atlas, view)
            front = front.assign(geometry=display_geoms(front.geometry.values))
            front = front[~shapely.is_empty(front.geometry.values)]
            rows = front.to_dict("records")
            return to_features(front, {
                "s": ["front"] * len(rows),
                "tooltip": [text(f"Front line: {r['length_km']:,.0f} km") for r in rows],
                "popup": [popup_table("Front line", [("Length", f"{r['length_km']:,.0f} km"),
                                                     ("Snapshot", r["as_of"]), ("Source", view.source)])
                          for r in rows],
            })

        return atlas.cache.get(("frontline-geojson", view.source, as_of), make)

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        return geojson_group(self.name, self.geojson(atlas, view), pane=self.pane, styles=STYLES)

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        return [("Front line", COLOR, "box")]
