"""Warming the caches of the dates a user is about to see, on one background thread.

After each step the app asks for the next dates in the direction of travel (and the day
before): their snapshots are read, simplified, measured and rendered into the shared
per-snapshot caches (``Atlas.cache``) and, with ``publish``, written as the static files the
map fetches. The next step then only assembles what is ready. Stale requests are dropped
when a newer step arrives; the cache makes a date that is being warmed wait, not recompute.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from geo.atlas import Atlas
from layers import step_groups
from layers.base import View

LOG = logging.getLogger(__name__)


def warm(atlas: Atlas, view: View, names: list[str], publish: Callable[[list], None] | None = None) -> None:
    """Build what a step to ``view`` with the layers ``names`` needs, so that it is cached."""
    groups, _ = step_groups(atlas, view, names)
    atlas.held_km2(view.date, view.source)
    if publish is not None:  # what switched-off layers send (a hidden restyle at most) holds no data
        publish([g for g in groups if g.layer_name in names])


def upcoming(view: View, step_days: int, first: dt.date, last: dt.date, ahead: int = 2) -> list[View]:
    """The views of the next ``ahead`` steps of ``step_days``, then the day before, within the data."""
    dates = [view.date + dt.timedelta(days=step_days * k) for k in range(1, ahead + 1)]
    dates.append(view.date - dt.timedelta(days=1))
    return [replace(view, date=d) for d in dates if first <= d <= last]


class Prefetcher:
    """One daemon worker that warms upcoming views; each new ``schedule`` supersedes the last.

    Work starts ``delay_s`` after scheduling: the page first fetches the step's own files from
    this server, and Python threads share one interpreter lock, so warming at once would slow
    the step it is meant to speed up.
    """

    def __init__(self, delay_s: float = 0.1) -> None:
        self.delay_s = delay_s
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frontline-prefetch")
        self._generation = 0

    def schedule(self, atlas: Atlas, views: list[View], names: list[str],
                 publish: Callable[[list], None] | None = None) -> Future:
        """Warm ``views`` in order, unless a later call supersedes this one first."""
        self._generation += 1
        return self._pool.submit(self._run, self._generation, atlas, views, list(names), publish)

    def _run(self, generation: int, atlas: Atlas, views: list[View], names: list[str],
             publish: Callable[[list], None] | None) -> int:
        """Warm the views still current; returns how many were warmed."""
        time.sleep(self.delay_s)
        done = 0
        for view in views:
            if generation != self._generation:  # the user moved on: warm the new neighbourhood instead
                break
            try:
                warm(atlas, view, names, publish)
                done += 1
            except Exception:  # the step itself will compute it again and show the error
                LOG.exception("prefetch of %s failed", view)
        return done
