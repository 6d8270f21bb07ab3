"""What every map layer shares: the view it renders, escaping, and GeoJSON rendering.

A layer turns the frame of one canonical layer at a :class:`View` into a
``folium.FeatureGroup``. Only escaped, pre-built HTML and style keys reach the browser:
no raw string from a data file is ever inserted as HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geo.atlas import Atlas
from layers.features import Features
from layers.geojson_layer import StyledGeoJson

POINT_PRECISION = 1e-5  # degrees: ~1 m, enough for any marker


@dataclass(frozen=True)
class View:
    """What the user is looking at: a date, a control source and a strike window."""

    date: Any  # datetime.date
    source: str
    window_days: int = 7
    compare_to: dt.date | None = None  # the changes layer's other date (None: the previous snapshot)


def text(value: object) -> str:
    """A value as escaped HTML text ('' for missing values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.strftime("%Y-%m-%d %H:%M UTC")
    return html.escape(str(value), quote=True)


ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def texts(values: pd.Series) -> list[str]:
    """A text column escaped as :func:`text` escapes one value ('' for missing), column-wise (fast)."""
    out = values.astype("string").fillna("")
    for raw, escaped in ESCAPES:  # '&' first, as html.escape does
        out = out.str.replace(raw, escaped, regex=False)
    return out.tolist()


def link(url: object) -> str:
    """An escaped link for http(s) URLs; anything else (``javascript:``...) as plain text."""
    raw = "" if url is None or url is pd.NA else str(url).strip()
    if raw.lower().startswith(("http://", "https://")):
        return f'<a href="{text(raw)}" target="_blank" rel="noopener noreferrer">{text(raw)}</a>'
    return text(raw)


def popup_table(title: object, rows: Iterable[tuple[str, object]], link_fields: tuple[str, ...] = ()) -> str:
    """An HTML popup: a bold title and a two-column table of the non-empty rows, all escaped."""
    cells = []
    for label, value in rows:
        shown = link(value) if label in link_fields else text(value)
        if shown:
            cells.append(f"<tr><th>{text(label)}</th><td>{shown}</td></tr>")
    return f'<div class="fl-popup"><b>{text(title)}</b><table>{"".join(cells)}</table></div>'


def to_features(frame: gpd.GeoDataFrame, properties: dict[str, list]) -> Features:
    """Encoded features of ``frame``'s geometries (points rounded to ~1 m) with only the given properties."""
    values = frame.geometry.values
    points = shapely.get_type_id(values) == shapely.GeometryType.POINT.value
    if points.any():
        values = values.copy()
        values[points] = shapely.set_precision(values[points], POINT_PRECISION)
    return Features.build(values, properties)


def geojson_group(name: str, data: Features, *, pane: str, styles: dict[str, dict],
                  fields: list[str] | None = None) -> folium.FeatureGroup:
    """A feature group drawing ``data`` in ``pane``; features pick a style from ``styles`` by key ``s``
    (and lay out their popup values ``f`` against ``fields``)."""
    group = folium.FeatureGroup(name=name, overlay=True, control=False)
    if len(data):
        StyledGeoJson(data, styles, pane, name, fields=fields).add_to(group)
    return group


class MapLayer:
    """One map layer: its name, legend and rendering. Subclasses fill in the data."""

    name: ClassVar[str]
    title: ClassVar[str]
    pane: ClassVar[str]  # a key of layers.style.PANES
    default_on: ClassVar[bool] = True

    def available(self, atlas: Atlas) -> bool:
        """Whether ``atlas`` holds what this layer needs (the app hides unavailable layers)."""
        return True

    def frame(self, atlas: Atlas, view: View) -> gpd.GeoDataFrame:
        """The rows of this layer at ``view`` (the same rows the GeoJSON export writes)."""
        raise NotImplementedError

    def feature_group(self, atlas: Atlas, view: View) -> folium.FeatureGroup:
        """The folium group sent to the map for ``view`` when the layer is on."""
        raise NotImplementedError

    def off_group(self, atlas: Atlas) -> folium.FeatureGroup | None:
        """What to send when the layer is off (None: nothing)."""
        return None

    def base_elements(self, atlas: Atlas) -> list:
        """Elements drawn once in the deterministic base map (none by default)."""
        return []

    def legend(self, atlas: Atlas | None = None, view: View | None = None) -> list[tuple[str, str, str]]:
        """Legend entries as (label, colour, shape), shape 'box' or 'dot': what ``atlas`` holds, or
        what is drawn at ``view`` when one is given."""
        return []
