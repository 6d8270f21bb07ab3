"""Features: a GeoJSON FeatureCollection kept as one encoded JSON string per feature.

Layers cache what they send to the map per snapshot. Kept as nested dicts and lists, one
snapshot of zones is tens of thousands of Python lists (one per vertex) that every full
garbage collection walks, and that must be encoded again before sending. Kept as strings
(which the collector does not track), the same data costs one object per feature and is
encoded once, when it is built. Every string value must already be escaped HTML
(``layers.base.text``); :attr:`Features.inline` also makes the text safe inside a script.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
import shapely

POINT_TYPE = '{"type":"Point"'
GEOMETRY_AT = len('{"type":"Feature","geometry":')


def dumps(value: object) -> str:
    """Compact JSON (UTF-8 text kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Features:
    """Encoded GeoJSON features (``items``), of which ``points`` are points."""

    __slots__ = ("items", "points")

    def __init__(self, items: list[str], points: int | None = None) -> None:
        self.items = items
        self.points = sum(1 for i in items if i.startswith(POINT_TYPE, GEOMETRY_AT)) if points is None else points

    @classmethod
    def build(cls, geometries: Sequence, properties: dict[str, list]) -> Features:
        """Features from geometries (shapely, in lon/lat) and per-feature property columns."""
        values = np.asarray(geometries, dtype=object)
        geoms = shapely.to_geojson(values)  # GEOS writes each geometry, no Python lists involved
        keys = list(properties)
        columns = [properties[k] for k in keys]
        items = []
        for i, geom in enumerate(geoms):
            props = dumps(dict(zip(keys, (c[i] for c in columns), strict=True)))
            items.append('{"type":"Feature","geometry":' + ("null" if geom is None else geom)
                         + ',"properties":' + props + "}")
        points = int((shapely.get_type_id(values) == shapely.GeometryType.POINT.value).sum()) if len(values) else 0
        return cls(items, points)

    @classmethod
    def from_dicts(cls, features: Iterable[dict]) -> Features:
        """Features from GeoJSON feature dicts."""
        return cls([dumps({"type": "Feature", "geometry": f["geometry"], "properties": f.get("properties", {})})
                    for f in features])

    def __len__(self) -> int:
        return len(self.items)

    def __add__(self, other: Features) -> Features:
        return Features(self.items + other.items, self.points + other.points)

    def take(self, order: Iterable[int]) -> Features:
        """The features in ``order`` (positions)."""
        return Features([self.items[i] for i in order])

    @property
    def text(self) -> str:
        """The FeatureCollection as JSON text."""
        return '{"type":"FeatureCollection","features":[' + ",".join(self.items) + "]}"

    @property
    def inline(self) -> str:
        """:attr:`text` safe to place inside an HTML script element (``<``, ``>``, ``&`` as JSON escapes)."""
        return self.text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    @property
    def features(self) -> list[dict]:
        """The features decoded (for inspection and tests; the map never needs this)."""
        return [json.loads(i) for i in self.items]


def with_property(item: str, key: str, value: object) -> str:
    """An encoded feature with one more property (its properties must not be empty)."""
    return item[:-2] + "," + dumps(key) + ":" + dumps(value) + "}}"
