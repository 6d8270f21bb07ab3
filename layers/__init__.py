"""The registry of map layers: the app, the legend and the exports loop over it.

Like folium's plugin list, each layer lives in a module of its own; adding one is a new
module plus one line here.
"""

from __future__ import annotations

from layers.alerts import AlertsLayer
from layers.base import MapLayer, View
from layers.changes import ChangesLayer, DisagreementLayer
from layers.control import ControlLayer
from layers.frontline import FrontlineLayer
from layers.strikes import StrikesLayer
from layers.towns import TownsLayer

REGISTRY: dict[str, MapLayer] = {layer.name: layer for layer in (
    ControlLayer(), TownsLayer(), StrikesLayer(), ChangesLayer(), FrontlineLayer(), DisagreementLayer(), AlertsLayer())}

__all__ = ["REGISTRY", "MapLayer", "View"]
