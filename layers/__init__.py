"""The registry of map layers: the app, the legend and the exports loop over it.

Like folium's plugin list, each layer lives in a module of its own; adding one is a new
module plus one line here.
"""

from __future__ import annotations

import folium

from geo.atlas import Atlas
from layers.alerts import AlertsLayer
from layers.base import MapLayer, View
from layers.changes import ChangesLayer, DisagreementLayer
from layers.control import ControlLayer
from layers.frontline import FrontlineLayer
from layers.strikes import StrikesLayer
from layers.towns import TownsLayer

REGISTRY: dict[str, MapLayer] = {layer.name: layer for layer in (
    ControlLayer(), TownsLayer(), StrikesLayer(), ChangesLayer(), FrontlineLayer(), DisagreementLayer(), AlertsLayer())}



def step_groups(atlas: Atlas, view: View, on: list[str]) -> tuple[list[folium.FeatureGroup], list[tuple[str, list]]]:
    """What one step sends for the layers ``atlas`` can draw: each layer's feature group (its
    ``off_group`` when it is not in ``on``; ``None`` entries dropped) and the legend sections
    of the layers in ``on`` that draw something at ``view``."""
    usable = [(name, layer) for name, layer in REGISTRY.items() if layer.available(atlas)]
    groups = [layer.feature_group(atlas, view) if name in on else layer.off_group(atlas) for name, layer in usable]
    sections = [(layer.title, layer.legend(atlas, view)) for name, layer in usable if name in on]
    return [g for g in groups if g is not None], [s for s in sections if s[1]]


__all__ = ["REGISTRY", "MapLayer", "View", "step_groups"]
