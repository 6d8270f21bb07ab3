"""Strikes: markers coloured by kind, sized by casualties, fading with age in the window."""

from __future__ import annotations

import datetime as dt
import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import timeline
from geo.atlas import Atlas
from layers.base import MapLayer, View, geojson_group, text, to_features
from layers.features import Features, with_property
from layers.style import STRIKE_STYLE

FIELDS = ["Time", "Weapon", "Target", "Oblast", "Killed", "Injured", "What happened", "Location", "Source", "Link"]
STYLES = {k: {"fillColor": v["color"], "color": "#111111", "weight": 1.5} for k, v in STRIKE_STYLE.items()}
STYLES["cell"] = {"fillColor": "#5d6d7e", "color": "#1b2631", "weight": 1, "fillOpacity": 0.45, "opacity": 0.8}
MAX_MARKERS = 600  # beyond this many strikes in the window, older ones are summarised per grid cell
CELL_DEG = 0.25  # summary grid (~25 km)


def summary_features(strikes: gpd.GeoDataFrame) -> Features:
    """One mark per ``CELL_DEG`` grid cell for ``strikes``: count, kinds, casualties, first and last date."""
    x, y = strikes.geometry.x.to_numpy(), strikes.geometry.y.to_numpy()
    cells = strikes.assign(_cx=(x // CELL_DEG).astype(int), _cy=(y // CELL_DEG).astype(int), _x=x, _y=y)
    feats = []
    for _, g in cells.groupby(["_cx", "_cy"], sort=False):
        kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in g["kind"].value_counts().items())
        days = f"{g['time'].min():%Y-%m-%d} to {g['time'].max():%Y-%m-%d}"
        centre = [round(g["_x"].mean(), 4), round(g["_y"].mean(), 4)]
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": centre},
                      "properties": {"s": "cell", "r": round(min(18.0, 4.0 + 2.0 * math.sqrt(len(g))), 1),
                                     "t": text(f"{len(g)} earlier strike{'s' if len(g) > 1 else ''} in this area"),
                                     "f": [days, "", "", text(", ".join(sorted(set(g["admin1"].dropna())))),
                                           text(int(g["killed"].sum())), text(int(g["injured"].sum())), text(kinds),
                                           f"grid cell of {CELL_DEG} deg", "", ""]}})
    return Features.from_dicts(feats)


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
        """The window's strikes; cached, as the markers and the legend of one step both need them."""
        key = ("strikes-window", timeline.to_date(view.date), view.window_days)
        return atlas.cache.get(key, lambda: timeline.strikes_in(atlas.strikes, view.date, view.window_days))

    def day_features(self, atlas: Atlas, day: dt.date) -> tuple[np.ndarray, list[str]]:
        """The strikes of one calendar day as (epoch seconds, encoded features without opacity),
        in time order; cached per day, so a step builds only the day that entered the window."""
        def make() -> tuple[np.ndarray, list[str]]:
            strikes = timeline.strikes_in(atlas.strikes, day, 1)  # the Atlas keeps strikes in time order
            rows = strikes.to_dict("records")
            data = to_features(strikes, {
                "s": [r["kind"] for r in rows],
                "r": [_radius(r["killed"], r["injured"]) for r in rows],
                "t": [text(f"{_title(r)}, {r['time']:%Y-%m-%d}") for r in rows],  # also the tooltip
                "f": [[r["time"].strftime("%Y-%m-%d") if r["time_precision"] == "day"
                       else r["time"].strftime("%Y-%m-%d %H:%M UTC"),
                       text(r["weapon"]), text(r["target"]), text(r["admin1"]), text(r["killed"]),
                       text(r["injured"]), text(r["description"]), text(r["location_precision"]),
                       text(r["source"]), text(r["source_url"])] for r in rows],
            })
            seconds = strikes["time"].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9
            return seconds, data.items

        return atlas.cache.get(("strikes-day", day), make)

    def geojson(self, atlas: Atlas, view: View) -> Features:
        """Strike features of the window; newest on top, older ones fainter (cached per window).

        A window holding more than ``MAX_MARKERS`` strikes shows the most recent ones as markers
        and the rest as one summary mark per grid cell (count, kinds, casualties, dates).
        """
        date = timeline.to_date(view.date)

        def make() -> Features:
            days = [self.day_features(atlas, date - dt.timedelta(days=k)) for k in range(view.window_days - 1, -1, -1)]
            seconds = np.concatenate([d[0] for d in days]) if days else np.zeros(0)
            items = [f for d in days for f in d[1]]
            older = max(0, len(items) - MAX_MARKERS)
            end = timeline.end_of_day(date).timestamp()
            opacity = np.round(np.maximum(0.35, 1 - 0.65 * (end - seconds[older:]) / 86400 / view.window_days), 2)
            shown = Features([with_property(f, "o", float(o)) for f, o in zip(items[older:], opacity, strict=True)],
                             points=len(items) - older)
            if older:
                shown = summary_features(self.frame(atlas, view).iloc[:older]) + shown
            return shown

        return atlas.cache.get(("strikes-geojson", date, view.window_days), make)

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
