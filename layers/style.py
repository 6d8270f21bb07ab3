"""The palette shared by the map, the legend and the replays, declared as data."""

from __future__ import annotations

# Control statuses: fill colour and legend label (DeepStateMap-like colours).
STATUS_STYLE: dict[str, dict[str, str]] = {
    "occupied_before": {"color": "#7b1f3a", "label": "Occupied before 24 Feb 2022"},
    "occupied": {"color": "#c0392b", "label": "Occupied since 24 Feb 2022"},
    "contested": {"color": "#8a8a8a", "label": "Contested / grey zone",
                  "line": {"color": "#444444", "dashArray": "4 3", "weight": 1.5}},
    "claimed": {"color": "#e67e22", "label": "Claimed, not assessed"},
    "advance": {"color": "#f1948a", "label": "Advances / infiltration"},
    "liberated": {"color": "#2e86c1", "label": "Liberated"},
    "defender_held_abroad": {"color": "#1e8449", "label": "Held by Ukraine across the border"},
}
ZONE_OPACITY = 0.45

# Strike kinds: marker colour and legend label.
STRIKE_STYLE: dict[str, dict[str, str]] = {
    "missile": {"color": "#d35400", "label": "Missile"},
    "drone": {"color": "#8e44ad", "label": "Drone"},
    "artillery": {"color": "#7f8c8d", "label": "Artillery"},
    "airstrike": {"color": "#c0392b", "label": "Airstrike"},
    "glide_bomb": {"color": "#b7950b", "label": "Glide bomb"},
    "ground": {"color": "#2c3e50", "label": "Ground attack"},
    "other": {"color": "#566573", "label": "Other"},
}

# Town marker fill by the status of the ground it stands on.
TOWN_STATUS_COLOR: dict[str, str] = {
    "free": "#ffffff",
    **{k: v["color"] for k, v in STATUS_STYLE.items()},
}

BASEMAP = {
    "sea": "#dbe9f2",
    "neighbour_fill": "#eeeeea",
    "neighbour_line": "#b4b4aa",
    "country_fill": "#fbfbf6",
    "country_line": "#3d3d3d",
}

# Leaflet panes (z-index): zones under towns under strikes, all above the basemap (400 is Leaflet's overlayPane).
PANES: dict[str, int] = {"basemap": 350, "zones": 410, "changes": 420, "towns": 440, "strikes": 450}
