"""What keeps a slider step cheap: the shared cache, the prefetch worker, published map data."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time

import folium
import pandas as pd
import shapely

from geo import timeline
from geo.display import LRU
from layers import REGISTRY, View
from layers.basemap import AssetStore
from layers.features import Features
from layers.geojson_layer import StyledGeoJson
from layers.prefetch import Prefetcher, upcoming, warm


def test_lru_computes_a_key_once_when_threads_ask_together():
    cache, calls, started = LRU(size=2), [], threading.Event()

    def slow() -> int:
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return 42

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get("k", slow)))
    first.start()
    started.wait()
    results.append(cache.get("k", lambda: 0))  # waits for the first thread instead of computing
    first.join()
    assert results == [42, 42] and len(calls) == 1
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    assert "k" not in cache and len(cache) == 2  # bounded, least recently used out


def test_lru_recomputes_when_the_computing_thread_failed():
    cache = LRU()
    try:
        cache.get("k", lambda: 1 / 0)
    except ZeroDivisionError:
        pass
    assert cache.get("k", lambda: 7) == 7


def test_upcoming_views_follow_the_step_and_stay_in_the_data():
    view = View(dt.date(2022, 3, 5), "t", 7)
    dates = [v.date for v in upcoming(view, 3, dt.date(2022, 3, 1), dt.date(2022, 3, 9))]
    assert dates == [dt.date(2022, 3, 8), dt.date(2022, 3, 4)]  # 2022-03-11 is past the end
    assert all(v.source == "t" and v.window_days == 7 for v in upcoming(view, 1, view.date, view.date))


def test_prefetch_warms_the_next_dates_caches(tiny):
    published = []
    future = Prefetcher(delay_s=0).schedule(tiny, [View(dt.date(2022, 3, 5), "t", 7)], ["control", "strikes"],
                                            publish=published.extend)
    assert future.result(timeout=30) == 1
    t = tiny.snapshot_at(dt.date(2022, 3, 5), "t")
    assert ("control-geojson", "t", t) in tiny.cache and ("held-km2", "t", t) in tiny.cache
    assert ("strikes-geojson", dt.date(2022, 3, 5), 7) in tiny.cache
    assert [g.layer_name for g in published] == ["control", "strikes"]
    # the step then gets the very objects the worker built
    hits = tiny.cache.hits
    REGISTRY["control"].geojson(tiny, View(dt.date(2022, 3, 6), "t", 7))
    assert tiny.cache.hits > hits


def test_a_newer_schedule_supersedes_an_older_one(tiny):
    prefetch = Prefetcher(delay_s=0.3)
    views = [View(dt.date(2022, 3, d), "t", 7) for d in (2, 3, 4)]
    old = prefetch.schedule(tiny, views, ["strikes"])
    new = prefetch.schedule(tiny, views[:1], ["strikes"])
    assert old.result(timeout=30) == 0 and new.result(timeout=30) == 1


def test_warm_builds_exactly_what_a_step_builds(tiny):
    view = View(dt.date(2022, 3, 1), "t", 3)
    warm(tiny, view, ["control", "towns", "strikes"])
    misses = tiny.cache.misses
    for name in ("control", "towns", "strikes"):
        REGISTRY[name].feature_group(tiny, view)
        REGISTRY[name].legend(tiny, view)
    assert tiny.held_km2(view.date, "t") > 0
    assert tiny.cache.misses == misses


def test_large_layers_are_published_as_files_and_small_ones_inline(tmp_path):
    store = AssetStore(tmp_path, "/app/static/generated")
    big = Features.build([shapely.Point(30, 50 + i / 100) for i in range(60)], {"s": ["x"] * 60})
    small = Features(big.items[:3])
    groups = []
    for name, data in (("zones", big), ("few", small)):
        group = folium.FeatureGroup(name=name)
        StyledGeoJson(data, {}, "zones", name).add_to(group)
        groups.append(group)
    store.publish_groups(groups)
    layers = [next(iter(g._children.values())) for g in groups]
    assert layers[0].data is None and layers[0].ghost and layers[0].url.startswith("/app/static/generated/")
    published = json.loads((tmp_path / layers[0].url.rsplit("/", 1)[1]).read_text())
    assert published["type"] == "FeatureCollection" and published["features"] == big.features
    assert published["features"][59]["geometry"] == {"type": "Point", "coordinates": [30.0, 50.59]}
    assert layers[1].data is small and layers[1].url is None and not layers[1].ghost
    m = folium.Map()
    groups[0].add_to(m)
    script = m.get_root().render()
    assert "fetch(" in script and "window.__flShown" in script  # the previous zones stay until the new arrive


def test_published_files_are_pruned_oldest_first_beyond_the_budget(tmp_path):
    store = AssetStore(tmp_path, "/x")
    names = []
    for i in range(6):
        names.append(store.publish({"i": i, "pad": "x" * 300}).rsplit("/", 1)[1])
        os.utime(tmp_path / names[-1], (1000 + i, 1000 + i))  # published long ago, in this order
    store.budget = 1000  # bytes
    assert store.prune(keep_s=0) >= 1
    left = sorted(p.name for p in tmp_path.iterdir())
    assert names[-1] in left and names[0] not in left
    assert sum((tmp_path / n).stat().st_size for n in left) <= 500
    fresh = store.publish({"fresh": 1, "pad": "y" * 2000}).rsplit("/", 1)[1]
    store.prune()  # over budget, but a file published in the last minutes is never deleted
    assert (tmp_path / fresh).exists()


def test_strike_window_from_sorted_and_unsorted_frames_agree(tiny):
    strikes = tiny.strikes
    assert strikes["time"].is_monotonic_increasing
    shuffled = strikes.iloc[[2, 0, 3, 1]]
    for days in (1, 3, 7):
        a = timeline.strikes_in(strikes, dt.date(2022, 3, 5), days)["event_id"].tolist()
        b = timeline.strikes_in(shuffled, dt.date(2022, 3, 5), days)["event_id"].tolist()
        assert sorted(a) == sorted(b)
    assert timeline.strikes_in(strikes, dt.date(2022, 3, 5), 1)["event_id"].tolist() == ["s4"]
    assert timeline.strikes_in(strikes, pd.Timestamp("2022-03-01"), 3)["event_id"].tolist() == ["s1", "s2"]
    assert timeline.strikes_in(strikes, pd.Timestamp("2022-03-01"), 2)["event_id"].tolist() == ["s2"]


def test_strike_opacity_fades_with_age_in_the_window(tiny):
    data = REGISTRY["strikes"].geojson(tiny, View(dt.date(2022, 3, 5), "t", 7))
    props = {f["properties"]["t"].split(", ")[1]: f["properties"] for f in data.features}
    assert props["P4"]["o"] == 1.0  # 2022-03-05 23:59, the end of the window
    assert props["P3"]["o"] == round(1 - 0.65 * (36 * 3600 / 86400) / 7, 2)  # 1.5 days old
    assert props["P1"]["o"] == 0.44  # 6 days and 30 minutes old
    oldest = REGISTRY["strikes"].geojson(tiny, View(dt.date(2022, 3, 9), "t", 9)).features[0]
    assert oldest["properties"]["o"] == 0.35  # over 9 days old in a 9-day window: the floor


def test_the_same_data_object_is_encoded_once_and_the_memo_is_bounded(tmp_path, monkeypatch):
    store = AssetStore(tmp_path, "/x")
    writes = []
    write = store._write
    monkeypatch.setattr(store, "_write", lambda data: writes.append(1) or write(data))
    first = {"n": 0}
    url = store.publish(first)
    assert store.publish(first) == url and len(writes) == 1  # a rerun re-sends the cached object: no re-encoding
    kept = [{"n": i} for i in range(1, 70)]
    for data in kept:
        store.publish(data)
    assert store.publish(first) == url and len(writes) == 71  # let go after 64 newer ones, then written again
