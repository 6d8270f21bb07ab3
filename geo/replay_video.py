"""MP4 and GIF replays: frames drawn on ONE persistent matplotlib figure, piped to ffmpeg.

The static part of a frame (sea, neighbours, the country's fill, the side panel's title and
legend, the attribution) is drawn once and restored per frame (blitting); per frame only the
snapshot's zones (one cached ``PathCollection`` per snapshot, reused while the snapshot
holds), the lines and towns drawn over them, the strike marks and the changing texts are
drawn. Frames go as raw RGBA to the ffmpeg binary of ``imageio-ffmpeg`` (an argument list,
never a shell): H.264 in yuv420p for MP4; for GIF a palette made from sample frames
(``palettegen``) applied to the stream (``paletteuse``).
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import textwrap
from collections import OrderedDict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import imageio_ffmpeg  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from geo import replay, timeline  # noqa: E402
from geo.atlas import Atlas  # noqa: E402
from layers.style import BASEMAP, STATUS_STYLE, STRIKE_STYLE, TOWN_STATUS_COLOR  # noqa: E402

DPI = 100
PANEL_SHARE = 0.25  # of the width, on the right
CACHED_SNAPSHOTS = 8
FONT = "DejaVu Sans"
HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


def compound_path(geoms: np.ndarray) -> MplPath | None:
    """One matplotlib path of every ring of ``geoms`` (exteriors anticlockwise, holes clockwise)."""
    polys = shapely.get_parts(shapely.orient_polygons(np.asarray(geoms, dtype=object)))
    polys = polys[shapely.get_type_id(polys) == shapely.GeometryType.POLYGON.value]
    if not len(polys):
        return None
    rings = shapely.get_rings(polys)
    return rings_path(rings, closed=True)


def rings_path(lines: np.ndarray, closed: bool) -> MplPath | None:
    """A path of many rings or lines, built without a Python loop over vertices."""
    counts = shapely.get_num_coordinates(lines)
    lines, counts = lines[counts >= 2], counts[counts >= 2]
    if not len(lines):
        return None
    xy = shapely.get_coordinates(lines)
    codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    codes[starts] = MplPath.MOVETO
    if closed:
        codes[starts + counts - 1] = MplPath.CLOSEPOLY
    return MplPath(xy, codes)


def view_limits(bbox: tuple[float, float, float, float], width: int, height: int
                ) -> tuple[tuple[float, float], tuple[float, float], float]:
    """(xlim, ylim, latitude degrees per pixel) showing ``bbox`` in a ``width`` x ``height`` box.

    The projection is equirectangular at the box's middle latitude, so shapes keep their proportions.
    """
    x0, y0, x1, y1 = bbox
    kx = math.cos(math.radians((y0 + y1) / 2))
    scale = max((x1 - x0) * kx / width, (y1 - y0) / height) * 1.02
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return ((cx - width * scale / kx / 2, cx + width * scale / kx / 2),
            (cy - height * scale / 2, cy + height * scale / 2), scale)


class FrameRenderer:
    """Draws the frames of one replay on a persistent figure; ``draw(frame)`` returns RGBA pixels."""

    def __init__(self, atlas: Atlas, spec: replay.Spec) -> None:
        self.atlas, self.spec = atlas, spec
        self.width, self.height = spec.size
        self.k = self.height / 720  # font and line scale
        self.fig = Figure(figsize=(self.width / DPI, self.height / DPI), dpi=DPI, facecolor="white")
        self.canvas = self.fig.canvas  # FigureCanvasAgg (Agg is forced above)
        self.panel = round(self.width * PANEL_SHARE)
        self.strip = round(24 * self.k)
        map_w, map_h = self.width - self.panel, self.height - self.strip
        self.ax = self.fig.add_axes((0, self.strip / self.height, map_w / self.width, map_h / self.height))
        self.ax.set_axis_off()
        self.ax.add_artist(Rectangle((0, 0), 1, 1, transform=self.ax.transAxes, color=BASEMAP["sea"], zorder=0))
        xlim, ylim, scale = view_limits(spec.region.bbox, map_w, map_h)
        self.ax.set_xlim(*xlim)
        self.ax.set_ylim(*ylim)
        self.ax.set_aspect("auto")
        self.tolerance = float(f"{scale * 0.6:.2g}")  # about half a pixel
        self._snapshots: OrderedDict[object, tuple[PathCollection | None, np.ndarray]] = OrderedDict()
        self.first_km2: float | None = None
        self._static_map()
        self.overlay = self._overlay()
        self.strikes = self.ax.scatter([], [], zorder=6, animated=True, linewidths=0.8 * self.k)
        self.texts = self._panel()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    # ---- coordinates ----------------------------------------------------------
    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        """(column, row) of a lon/lat point in the frame image (row 0 at the top)."""
        x, y = self.ax.transData.transform((lon, lat))
        return int(x), int(self.height - y)

    # ---- static layers -------------------------------------------------------------
    def _add_paths(self, path: MplPath | None, *, face: str, edge: str, lw: float, z: float,
                   animated: bool = False) -> PathCollection | None:
        if path is None:
            return None
        coll = PathCollection([path], facecolors=[face], edgecolors=[edge], linewidths=[lw], zorder=z,
                              animated=animated, transform=self.ax.transData)
        self.ax.add_collection(coll, autolim=False)
        return coll

    def _static_map(self) -> None:
        base = replay.basemap()
        self._add_paths(compound_path(self._simplified(base["neighbours"].geometry.values)),
                        face=BASEMAP["neighbour_fill"], edge=BASEMAP["neighbour_line"], lw=0.6 * self.k, z=1)
        self._add_paths(compound_path(self._simplified(base["ukraine"].geometry.values)),
                        face=BASEMAP["country_fill"], edge="none", lw=0, z=2)

    def _simplified(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.simplify(shapely.clip_by_rect(geoms, *self._clip_box()), self.tolerance)

    def _clip_box(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        return x0 - mx, y0 - my, x1 + mx, y1 + my

    def _overlay(self) -> list:
        """Drawn over the zones every frame: oblast lines, the country border, key towns and labels."""
        out: list = []
        shapes = replay.oblasts(self.atlas)
        if shapes is not None:
            lines = shapely.get_rings(shapely.get_parts(self._simplified(shapes.geometry.values)))
            out.append(self._add_paths(rings_path(lines, closed=False), face="none", edge="#6e6e6e",
                                       lw=0.5 * self.k, z=4, animated=True))
        if self.spec.region.shape is not None:
            ring = shapely.get_rings(shapely.get_parts(self._simplified(np.array([self.spec.region.shape]))))
            out.append(self._add_paths(rings_path(ring, closed=False), face="none", edge="#222222",
                                       lw=1.4 * self.k, z=4, animated=True))
        border = shapely.get_rings(shapely.get_parts(self._simplified(replay.basemap()["ukraine"].geometry.values)))
        out.append(self._add_paths(rings_path(border, closed=False), face="none", edge=BASEMAP["country_line"],
                                   lw=0.9 * self.k, z=4, animated=True))
        self.towns = replay.key_towns(self.atlas, self._clip_box())
        xs, ys = self.towns.geometry.x.to_numpy(), self.towns.geometry.y.to_numpy()
        self.town_marks = self.ax.scatter(xs, ys, s=(5 * self.k) ** 2, facecolors="white", edgecolors="#222222",
                                          linewidths=0.8 * self.k, zorder=5, animated=True)
        out.append(self.town_marks)
        for x, y, name in zip(xs, ys, self.towns["name"], strict=True):
            out.append(self.ax.text(x, y, f"  {name}", fontsize=8 * self.k, family=FONT, va="center", zorder=5,
                                    color="#222222", path_effects=HALO, parse_math=False, animated=True,
                                    clip_on=True))
        return [a for a in out if a is not None]

    def _text(self, x: float, y_top: float, text: str, size: float, **kw) -> object:
        """A figure text at pixel ``x`` and ``y_top`` pixels below the top edge."""
        return self.fig.text(x / self.width, 1 - y_top / self.height, text, fontsize=size * self.k, family=FONT,
                             va="top", parse_math=False, **kw)

    def _panel(self) -> dict[str, object]:
        """Title, legend and attribution (static) and the changing texts (returned)."""
        k, x = self.k, self.width - self.panel + 16 * self.k
        chars = max(10, int((self.panel - 24 * k) / (13 * k * 0.6)))
        title = "\n".join(textwrap.wrap(self.spec.title, chars)[:3])
        y = 14 * k
        if title:
            self._text(x, y, title, 13, weight="bold", color="#111111", linespacing=1.15)
            y += (title.count("\n") + 1) * 19 * k + 8 * k
        texts = {"date": self._text(x, y, "", 26, weight="bold", color="#111111", animated=True)}
        texts["note"] = self._text(x, y + 40 * k, "", 10, color="#444444", animated=True)
        y += 72 * k
        self._text(x, y, "Held by the invading force", 10, color="#444444")
        texts["held"] = self._text(x, y + 16 * k, "", 15, weight="bold", color=STATUS_STYLE["occupied"]["color"],
                                   animated=True)
        texts["change"] = self._text(x, y + 40 * k, "", 10, color="#444444", animated=True)
        self._legend(x, y + 72 * k)
        line = replay.attribution(self.atlas)
        room = int(self.width / (7.5 * k * 0.58))
        self._text(8 * k, self.height - 6 * k, line if len(line) <= room else line[: room - 1] + "…", 7.5,
                   color="#333333")
        for t in texts.values():
            t.set_animated(True)
        return texts

    def _legend(self, x: float, y: float) -> None:
        k, row = self.k, 17 * self.k
        src = self.atlas.control
        present = set(src.loc[src["source"] == self.spec.source, "status"]) if self.spec.source else set()
        entries = [(replay.zone_fill(s), v["label"], "box") for s, v in STATUS_STYLE.items() if s in present]
        kinds = set(self.atlas.strikes["kind"])
        entries += [(v["color"], f"{v['label']} strike", "dot") for s, v in STRIKE_STYLE.items() if s in kinds]
        entries.append((TOWN_STATUS_COLOR["free"], "Capital / oblast centre", "dot"))
        bottom = self.height - self.strip - 8 * k
        for color, label, shape in entries:
            if y + row > bottom:
                break
            cy = 1 - (y + 7 * k) / self.height
            if shape == "box":
                patch = Rectangle((x / self.width, cy - 5 * k / self.height), 14 * k / self.width,
                                  10 * k / self.height, transform=self.fig.transFigure, facecolor=color,
                                  edgecolor="#555555", linewidth=0.6)
            else:
                patch = Circle((x / self.width + 7 * k / self.width, cy), 5 * k / self.width,
                               transform=self.fig.transFigure, facecolor=color, edgecolor="#222222", linewidth=0.6)
            self.fig.add_artist(patch)
            self._text(x + 22 * k, y, label, 9, color="#222222")
            y += row

    # ---- per frame ---------------------------------------------------------------
    def _snapshot(self, frame: replay.Frame) -> tuple[PathCollection | None, np.ndarray]:
        """The zones' collection and the key towns' colours of ``frame``'s snapshot (cached)."""
        key = frame.as_of
        if key in self._snapshots:
            self._snapshots.move_to_end(key)
            return self._snapshots[key]
        shown = replay.display_zones(self.atlas, self.spec, frame, self.tolerance)
        order = [s for s in STATUS_STYLE if s in set(shown["status"])]
        paths, faces, edges = [], [], []
        for status in order:
            path = compound_path(shown.geometry.values[(shown["status"] == status).to_numpy()])
            if path is not None:
                paths.append(path)
                faces.append(replay.zone_fill(status))
                edges.append(STATUS_STYLE[status]["color"])
        coll = None
        if paths:
            coll = PathCollection(paths, facecolors=faces, edgecolors=edges, linewidths=0.5 * self.k, zorder=3,
                                  animated=True, transform=self.ax.transData)
            self.ax.add_collection(coll, autolim=False)
        status = timeline.town_status(self.towns, replay.zones(self.atlas, self.spec, frame))
        colors = np.array([TOWN_STATUS_COLOR.get(s, "#ffffff") for s in status], dtype=object)
        self._snapshots[key] = (coll, colors)
        if len(self._snapshots) > CACHED_SNAPSHOTS:
            old, _ = self._snapshots.popitem(last=False)[1]
            if old is not None:
                old.remove()
        return coll, colors

    def _update_strikes(self, frame: replay.Frame) -> None:
        rows = replay.strikes_at(self.atlas, self.spec, frame.date)
        if rows.empty:
            self.strikes.set_offsets(np.empty((0, 2)))
            return
        self.strikes.set_offsets(np.column_stack([rows.geometry.x.to_numpy(), rows.geometry.y.to_numpy()]))
        radius = np.array([replay.strike_size(a, b) for a, b in zip(rows["killed"], rows["injured"], strict=True)])
        self.strikes.set_sizes((radius * 0.8 * self.k * 72 / DPI * 2) ** 2)
        alpha = rows["alpha"].to_numpy(dtype=float)
        face = np.array([matplotlib.colors.to_rgba(STRIKE_STYLE.get(kd, STRIKE_STYLE["other"])["color"])
                         for kd in rows["kind"]])
        face[:, 3] = alpha * 0.85
        edge = np.tile(matplotlib.colors.to_rgba("#111111"), (len(rows), 1))
        edge[:, 3] = alpha
        self.strikes.set_facecolors(face)
        self.strikes.set_edgecolors(edge)

    def draw(self, frame: replay.Frame) -> memoryview:
        """The RGBA pixels (height x width x 4, row 0 at the top) of ``frame``."""
        km2 = replay.held_km2(self.atlas, self.spec, frame)
        if self.first_km2 is None:
            self.first_km2 = km2
        coll, town_colors = self._snapshot(frame)
        self.canvas.restore_region(self.background)
        if coll is not None:
            self.ax.draw_artist(coll)
        self.town_marks.set_facecolors(list(town_colors) if len(town_colors) else "white")
        for artist in self.overlay:
            self.ax.draw_artist(artist)
        self._update_strikes(frame)
        self.ax.draw_artist(self.strikes)
        date, note = replay.stamp(frame)
        held, change = replay.counter(km2, self.first_km2, self.spec.start)
        for key, value in (("date", date), ("note", note), ("held", held), ("change", change)):
            self.texts[key].set_text(value)
            self.fig.draw_artist(self.texts[key])
        return self.canvas.buffer_rgba()

    def image(self, frame: replay.Frame) -> np.ndarray:
        """``frame`` as an RGB array (height x width x 3), a copy."""
        return np.asarray(self.draw(frame))[:, :, :3].copy()


# ---- encoding ------------------------------------------------------------------------
def ffmpeg_args(fmt: str, size: tuple[int, int], fps: int, out: Path, palette: Path | None = None) -> list[str]:
    """The ffmpeg argument list reading raw RGBA frames on stdin and writing ``out``."""
    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
            "-pix_fmt", "rgba", "-s", f"{size[0]}x{size[1]}", "-framerate", str(fps), "-i", "-"]
    if fmt == "mp4":
        return [*args, "-an", "-c:v", "libx264", "-preset", "medium", "-tune", "animation", "-crf", "20",
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(out)]
    if fmt == "gif":
        return [*args, "-i", str(palette), "-lavfi", "[0:v][1:v]paletteuse=dither=none:diff_mode=rectangle",
                "-loop", "0", "-f", "gif", str(out)]
    if fmt == "palette":
        return [*args, "-vf", "palettegen=max_colors=256:stats_mode=full", "-frames:v", "1", str(out)]
    raise ValueError(f"unknown video format {fmt}")


def _pipe(args: list[str], frames) -> None:
    """Run ffmpeg with ``args`` and write every RGBA buffer of ``frames`` to its stdin."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        try:
            for buf in frames:
                proc.stdin.write(buf)
        except BrokenPipeError:
            pass
        finally:
            proc.stdin.close()
            code = proc.wait()
        if code != 0:
            err.seek(0)
            raise RuntimeError(f"ffmpeg failed ({code}): {err.read().decode('utf-8', 'replace').strip()[-800:]}")


def write(atlas: Atlas, spec: replay.Spec, out: Path, fmt: str, progress: replay.Progress | None = None) -> None:
    """Render every frame of ``spec`` into ``out`` as ``fmt`` ('mp4' or 'gif')."""
    frames = replay.schedule(atlas, spec)
    renderer = FrameRenderer(atlas, spec)

    def stream():
        for i, frame in enumerate(frames):
            yield renderer.draw(frame)
            if progress is not None:
                progress(i + 1, len(frames))

    if fmt == "mp4":
        _pipe(ffmpeg_args("mp4", spec.size, spec.fps, out), stream())
        return
    with tempfile.TemporaryDirectory(prefix="palette-") as folder:
        palette = Path(folder) / "palette.png"
        samples = sorted({0, len(frames) // 2, len(frames) - 1})
        _pipe(ffmpeg_args("palette", spec.size, spec.fps, palette),
              (bytes(renderer.draw(frames[i])) for i in samples))
        renderer.first_km2 = None
        _pipe(ffmpeg_args("gif", spec.size, spec.fps, out, palette), stream())
