"""Replays: the schedule, the frames' pixels, the MP4/GIF read back from the files, the HTML payload, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from geo import analysis, model, replay, replay_html, replay_video, timeline
from geo.atlas import Atlas
from layers.basemap import leaflet_file
from layers.style import BASEMAP

ROOT = Path(__file__).resolve().parent.parent
SMALL = "640x360"
OCCUPIED_BOTH = (31.8, 48.85)  # occupied in both snapshots of the tiny atlas, away from its strikes
OCCUPIED_LATER = (30.75, 48.85)  # occupied only from the 2022-03-05 snapshot
NOTHING = (25.5, 50.9)  # Ukraine, no zone, no town
SEA = (31.0, 44.6)  # the Black Sea west of Crimea


def rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])


def near(pixel: np.ndarray, color: str, tol: int) -> bool:
    return bool(np.abs(pixel.astype(int) - rgb(color)).max() <= tol)


def at(image: np.ndarray, renderer: replay_video.FrameRenderer, lonlat: tuple[float, float]) -> np.ndarray:
    col, row = renderer.pixel(*lonlat)
    return image[row, col, :3]


@pytest.fixture
def tiny_dir(tiny, tmp_path) -> Path:
    tiny.save(tmp_path / "atlas")
    return tmp_path / "atlas"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "replay", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


# ---- options and schedule ------------------------------------------------------
def test_parse_options():
    assert replay.parse_step("1d") == 1 and replay.parse_step("7d") == 7 and replay.parse_step("2w") == 14
    assert replay.parse_size("1920x1080") == (1920, 1080)
    assert replay.parse_bbox("30, 46, 38.5, 50") == (30.0, 46.0, 38.5, 50.0)
    assert replay.parse_bbox("Kherson") is None
    for bad, call in (("0d", replay.parse_step), ("fast", replay.parse_step), ("1281x720", replay.parse_size),
                      ("big", replay.parse_size), ("38,46,30,50", replay.parse_bbox)):
        with pytest.raises(model.DataError):
            call(bad)


def test_schedule_holds_the_last_snapshot_and_ends_on_the_end_date(tiny):
    spec = replay.make_spec(tiny, "2022-02-27", "2022-03-05")
    frames = replay.schedule(tiny, spec)
    assert [f.date.day for f in frames] == [27, 28, 1, 2, 3, 4, 5]
    assert [f.as_of.day if f.as_of is not None else None for f in frames] == [None, None, 1, 1, 1, 1, 5]
    assert replay.stamp(frames[4]) == ("3 March 2022", "snapshot of 2022-03-01")
    assert replay.stamp(frames[0])[1] == "no snapshot yet"
    weekly = replay.schedule(tiny, replay.make_spec(tiny, "2022-02-27", "2022-03-05", step="3d"))
    assert [f.date for f in weekly] == [dt.date(2022, 2, 27), dt.date(2022, 3, 2), dt.date(2022, 3, 5)]
    for f in frames[2:]:
        expected = timeline.control_at(tiny.control, f.date, "t")
        assert replay.zones(tiny, spec, f).equals(expected)


def test_bad_specs_name_the_option(tiny):
    cases = [({"start": "2022-03-05", "end": "2022-03-01"}, "before --from"),
             ({"start": "2021-01-01", "end": "2022-03-01"}, "outside the data"),
             ({"source": "nope"}, "--source 'nope'"),
             ({"fps": 0}, "--fps 0"),
             ({"region": "Atlantis"}, "neither"),
             ({"region": "Kherson"}, "oblast boundaries are not loaded")]
    for kwargs, message in cases:
        args = {"start": "2022-03-01", "end": "2022-03-05", **kwargs}
        with pytest.raises(model.DataError, match=message.replace("(", r"\(")):
            replay.make_spec(tiny, args.pop("start"), args.pop("end"), **args)


def test_oblast_region_comes_from_the_boundaries_table(tiny, tmp_path):
    tiny.save(tmp_path)
    table = gpd.GeoDataFrame({"level": ["admin1", "admin1"], "name": ["Kherson Oblast", "Mykolaiv Oblast"],
                              "admin1": ["Kherson", "Mykolaiv"]},
                             geometry=[box(32, 46, 35, 47.5), box(30, 46.5, 33, 48)], crs=model.CRS)
    table.to_parquet(tmp_path / "boundaries.parquet")
    atlas = Atlas.load(tmp_path)
    region = replay.make_spec(atlas, "2022-03-01", "2022-03-05", region="Khersonska oblast").region
    assert region.name == "Kherson"
    assert region.bbox == pytest.approx((32 - 0.45, 46 - 0.225, 35 + 0.45, 47.5 + 0.225))
    assert replay.oblasts(atlas)["admin1"].tolist() == ["Kherson", "Mykolaiv"]


def test_ground_matches_town_status(tiny, default_atlas):
    zones = timeline.control_at(tiny.control, "2022-03-05", "t")
    assert list(replay.ground(tiny.towns.geometry, zones)) == list(timeline.town_status(tiny.towns, zones))
    assert list(replay.ground(tiny.towns.geometry, zones)) == ["occupied", "occupied", "contested"]
    towns, land = default_atlas.towns, default_atlas.land  # coastal towns snap to zones within ~2 km
    for date in ("2022-03-15", "2022-11-20", "2024-10-01"):
        zones = default_atlas.zones_at(date, default_atlas.sources[0])
        fast = replay.ground(towns.geometry, zones, land)
        assert list(fast) == list(timeline.town_status(towns, zones, land))
        assert (fast != "free").sum() > 10


def test_held_area_and_counter(tiny):
    spec = replay.make_spec(tiny, "2022-02-27", "2022-03-05")
    frames = replay.schedule(tiny, spec)
    areas = replay.HeldAreas(tiny, spec, frames)
    assert areas(frames[0]) == 0.0
    assert areas(frames[-1]) == pytest.approx(analysis.area_km2(box(30.5, 48, 32, 49)))
    assert areas(frames[-1]) == pytest.approx(1.5 * areas(frames[3]), rel=0.01)
    held, change = replay.counter(areas(frames[-1]), areas(frames[3]), dt.date(2022, 3, 1))
    assert held.startswith("12,3") and "(2.0%)" in held
    assert change.startswith("+4,1") and change.endswith("since 1 Mar 2022")


def test_strike_window_and_fading(tiny):
    spec = replay.make_spec(tiny, "2022-03-01", "2022-03-05", window_days=7)
    rows = replay.strikes_in_range(tiny, spec)
    first, stop, ages = replay.window(rows["time"], dt.date(2022, 3, 5), 7)
    assert list(rows["event_id"].iloc[first:stop]) == list(
        timeline.strikes_in(tiny.strikes, "2022-03-05", 7).sort_values("time")["event_id"])
    assert replay.fade(ages, 7).tolist() == [0.44, 0.54, 0.86, 1.0]  # 6.02, 5.0, 1.5 and 0 days old


# ---- frames and video files ------------------------------------------------------
def test_frame_pixels_show_zones_over_the_basemap(tiny):
    spec = replay.make_spec(tiny, "2022-03-01", "2022-03-05", size=SMALL, title="Tiny")
    renderer = replay_video.FrameRenderer(tiny, spec)
    first, last = renderer.image(renderer.frames[0]), renderer.image(renderer.frames[-1])
    renderer.close()
    assert first.shape == (360, 640, 3)
    occupied, country = replay.zone_fill("occupied"), BASEMAP["country_fill"]
    assert near(at(first, renderer, OCCUPIED_BOTH), occupied, 2)
    assert near(at(first, renderer, OCCUPIED_LATER), country, 2)  # not yet occupied on 1 March
    assert near(at(last, renderer, OCCUPIED_LATER), occupied, 2)
    assert near(at(last, renderer, NOTHING), country, 2)
    assert near(at(last, renderer, SEA), BASEMAP["sea"], 2)


def test_mp4_read_back(tiny, tmp_path):
    spec = replay.make_spec(tiny, "2022-02-27", "2022-03-05", size=SMALL, fps=7)
    out = replay.render(tiny, spec, tmp_path / "r.mp4")
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (640, 360) and meta["fps"] == 7.0
    assert meta["duration"] == pytest.approx(1.0, abs=0.05)
    frames = [np.frombuffer(f, np.uint8).reshape(360, 640, 3) for f in reader]
    assert len(frames) == 7 == imageio_ffmpeg.count_frames_and_secs(str(out))[0]
    renderer = replay_video.FrameRenderer(tiny, spec)
    renderer.close()
    occupied = replay.zone_fill("occupied")
    assert near(at(frames[-1], renderer, OCCUPIED_LATER), occupied, 12)
    assert near(at(frames[2], renderer, OCCUPIED_LATER), BASEMAP["country_fill"], 12)
    assert near(at(frames[-1], renderer, NOTHING), BASEMAP["country_fill"], 12)


def test_gif_frames_and_palette(tiny, tmp_path):
    spec = replay.make_spec(tiny, "2022-02-27", "2022-03-05", size=SMALL, fps=5)
    out = replay.render(tiny, spec, tmp_path / "r.gif")
    with Image.open(out) as gif:
        assert gif.n_frames == 7 and gif.size == (640, 360)
        assert gif.info["duration"] == 200 and gif.info["loop"] == 0
        gif.seek(6)
        last = np.asarray(gif.convert("RGB"))
    renderer = replay_video.FrameRenderer(tiny, spec)
    renderer.close()
    assert near(at(last, renderer, OCCUPIED_LATER), replay.zone_fill("occupied"), 6)
    assert near(at(last, renderer, NOTHING), BASEMAP["country_fill"], 6)
    assert out.stat().st_size < 200_000


def test_render_rejects_unknown_suffix(tiny, tmp_path):
    spec = replay.make_spec(tiny, "2022-03-01", "2022-03-05")
    with pytest.raises(model.DataError, match=r"\.mp4, \.gif or \.html"):
        replay.render(tiny, spec, tmp_path / "r.avi")


# ---- HTML ----------------------------------------------------------------------
def test_html_stores_each_piece_once_with_its_interval(tiny):
    spec = replay.make_spec(tiny, "2022-02-27", "2022-03-05")
    data = replay_html.payload(tiny, spec)
    assert data["snaps"] == ["2022-03-01", "2022-03-05"]
    assert [f[1] for f in data["frames"]] == [-1, -1, 0, 0, 0, 0, 1]
    # 1 March: the 31-32 box in four 0.5-degree cells; 5 March adds two occupied and two contested cells
    assert len(data["geoms"]) == len(data["pieces"]) == 8
    spans = sorted((p[2], p[3]) for p in data["pieces"])
    assert spans == [(0, 1)] * 4 + [(1, 1)] * 4
    cells = set()
    for rings in data["geoms"]:
        xy = np.cumsum(np.array(rings[0]).reshape(-1, 2), axis=0) / data["scale"]
        cells.add((*xy.min(axis=0).round(4).tolist(), *xy.max(axis=0).round(4).tolist()))
    assert cells == {(x, y, x + 0.5, y + 0.5) for x in (30.0, 30.5, 31.0, 31.5) for y in (48.0, 48.5)}
    assert data["frames"][-1][2:4] == ["5 March 2022", "snapshot of 2022-03-05"]


def test_html_escapes_data_and_has_no_outside_reference(tiny, tmp_path):
    spec = replay.make_spec(tiny, "2022-02-27", "2022-03-05", title="<img src=x onerror=alert(1)>")
    out = replay.render(tiny, spec, tmp_path / "r.html")
    page = out.read_text("utf-8")
    data = page.split('id="replay-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data
    assert json.loads(data)["title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    leaflet = leaflet_file("leaflet.js").read_text("utf-8") + leaflet_file("leaflet.css").read_text("utf-8")
    for scheme in ("http://", "https://", "//unpkg", "//cdn"):
        assert page.count(scheme) == leaflet.count(scheme)  # only inside Leaflet's own licence/namespace text
    assert 'src="' not in page.replace('src="x', "") and "<link" not in page


# ---- CLI and UI ------------------------------------------------------------------
def test_cli_writes_each_format(tiny_dir, tmp_path):
    for name in ("r.mp4", "r.html"):
        out = tmp_path / name
        result = run("--from", "2022-03-01", "--to", "2022-03-05", "--size", SMALL, "--title", "CLI",
                     "--region", "29,47,33,50", "--data", str(tiny_dir), "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert "wrote" in result.stderr and "5 frames" in result.stderr
        assert out.stat().st_size > 1000
    assert not list(tmp_path.glob(".*tmp*"))


@pytest.mark.parametrize("args,message", [
    (["--out", "x.avi"], "must end in .mp4, .gif or .html"),
    (["--region", "Kherson", "--out", "x.mp4"], "oblast boundaries are not loaded: run python -m geo import"),
    (["--step", "fast", "--out", "x.mp4"], "--step 'fast'"),
    (["--size", "100x100", "--out", "x.mp4"], "--size '100x100'"),
])
def test_cli_bad_input_exits_2(tiny_dir, tmp_path, args, message):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    result = run("--from", "2022-03-01", "--to", "2022-03-05", "--data", str(tiny_dir), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_ui_panel_renders_and_offers_the_download(tiny_dir):
    from streamlit.testing.v1 import AppTest

    def app(path: str) -> None:
        from geo.atlas import Atlas
        from layers.base import View
        from ui.replay import replay_panel

        atlas = Atlas.load(path)
        replay_panel(atlas, View(atlas.dates[1], "t", 7))

    at = AppTest.from_function(app, args=(str(tiny_dir),), default_timeout=60)
    at.run()
    at.radio(key="replay_export_format").set_value("HTML page (plays offline)")
    at.button(key="replay_export_render").click()
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["replay_export"]["name"] == "frontline-2022-02-27-to-2022-03-05.html"
    assert at.session_state["replay_export"]["data"].startswith(b"<!DOCTYPE html>")
    assert at.get("download_button")


def test_ui_build_matches_the_cli_output(tiny):
    from ui.replay import build, default_range

    assert default_range(tiny) == (dt.date(2022, 2, 27), dt.date(2022, 3, 5))
    from layers.base import View

    calls = []
    name, data = build(tiny, View(dt.date(2022, 3, 5), "t", 7), "gif", dt.date(2022, 3, 1), dt.date(2022, 3, 5),
                       "1d", "T", SMALL, lambda d, n: calls.append((d, n)))
    assert name.endswith(".gif") and data[:6] == b"GIF89a"
    assert calls[-1] == (5, 5)


def test_default_data_frame(default_atlas):
    """The embedded data: northern Crimea held since before 2022, the Zaporizhzhia steppe occupied."""
    spec = replay.make_spec(default_atlas, "2023-01-01", "2023-01-02", size=SMALL)
    renderer = replay_video.FrameRenderer(default_atlas, spec)
    image = renderer.image(renderer.frames[-1])
    renderer.close()
    assert near(at(image, renderer, (33.9, 45.5)), replay.zone_fill("occupied_before"), 2)
    assert near(at(image, renderer, (35.3, 46.7)), replay.zone_fill("occupied"), 2)
    assert near(at(image, renderer, NOTHING), BASEMAP["country_fill"], 2)
