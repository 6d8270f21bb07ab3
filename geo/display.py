"""Per-date display geometry: simplified as a coverage, rounded, and cached.

Display geometry is for drawing only; areas are always measured on full-resolution
geometry (``geo.analysis``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import geopandas as gpd
import shapely

# ~ 100 m at Ukraine's latitudes: below a pixel at the zoom levels a whole front is viewed at.
DEFAULT_TOLERANCE = 0.001
PRECISION = 1e-4  # ~ 10 m grid for the coordinates sent to the browser


def simplify_zones(zones: gpd.GeoDataFrame, tolerance: float = DEFAULT_TOLERANCE) -> gpd.GeoDataFrame:
    """A copy of ``zones`` simplified as one coverage (shared edges stay shared), then gridded.

    Zones that vanish at this tolerance are dropped.
    """
    out = zones.copy()
    if out.empty:
        return out
    geoms = out.geometry.values
    simple = shapely.coverage_simplify(geoms, tolerance) if tolerance > 0 else geoms
    simple = shapely.set_precision(simple, PRECISION)
    out = out.set_geometry(gpd.GeoSeries(simple, index=out.index, crs=out.crs))
    return out[~(out.geometry.is_empty | out.geometry.isna())]


class LRU:
    """A small least-recently-used cache with a bound on entries, safe to share between threads.

    A key being computed by one thread is waited for by the others instead of computed twice
    (the app's prefetch thread warms the next dates while a script run may ask for them).
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, object] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, make: Callable[[], object]) -> object:
        """The cached value for ``key``, computing it with ``make`` on a miss."""
        while True:
            with self._lock:
                if key in self._data:
                    self.hits += 1
                    self._data.move_to_end(key)
                    return self._data[key]
                pending = self._pending.get(key)
                if pending is None:
                    self._pending[key] = threading.Event()
                    self.misses += 1
                    break
            pending.wait()  # another thread computes it; if that failed, compute it here
        try:
            value = make()
            with self._lock:
                self._data[key] = value
                if len(self._data) > self.size:
                    self._data.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)
