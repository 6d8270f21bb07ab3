"""Timing hooks for bench/run.py: one JSON line per script and fragment run.

Off (no overhead) unless env ``FRONTLINE_TIMINGS`` names a file. Each line holds the run's
wall time, how many shared-cache entries it had to compute (0 when the prefetch worker had
them ready) and how long full garbage collections paused it.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import time
import weakref
from collections.abc import Callable

PATH = os.environ.get("FRONTLINE_TIMINGS")
GC_PAUSES: list[float] = []  # ms of each full (generation 2) collection since start
_ATLASES: weakref.WeakSet = weakref.WeakSet()
_started = [0.0]


def _gc_timer(phase: str, info: dict) -> None:
    if info.get("generation") == 2:
        if phase == "start":
            _started[0] = time.perf_counter()
        else:
            GC_PAUSES.append(1000 * (time.perf_counter() - _started[0]))


if PATH:
    gc.callbacks.append(_gc_timer)


def watch(atlas):
    """Count ``atlas``'s cache misses in the timings; returns it."""
    _ATLASES.add(atlas)
    return atlas


def _misses() -> int:
    return sum(a.cache.misses for a in list(_ATLASES))


def timed(fn: Callable) -> Callable:
    """``fn``, appending {"run", "ms", "cache_misses", "gc_ms"} per call to $FRONTLINE_TIMINGS."""
    if not PATH:
        return fn

    @functools.wraps(fn)
    def run(*args, **kwargs):
        start, misses, pauses = time.perf_counter(), _misses(), len(GC_PAUSES)
        try:
            return fn(*args, **kwargs)
        finally:
            record = {"run": fn.__name__, "ms": round(1000 * (time.perf_counter() - start), 2),
                      "cache_misses": _misses() - misses, "gc_ms": round(sum(GC_PAUSES[pauses:]), 1)}
            with open(PATH, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")

    return run
