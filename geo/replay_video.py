"""MP4 and GIF replays: frames drawn on ONE persistent matplotlib figure, piped to ffmpeg.

The static part of a frame (sea, neighbours, the country's fill, the side panel's title and
legend, the attribution) is drawn once and restored per frame (blitting); per frame only the
snapshot's zones (one cached ``PathCollection`` per snapshot, reused while the snapshot
holds), the lines and towns drawn over them, the strike marks and the changing texts are
drawn. The frames are encoded by ``geo.replay_ffmpeg``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg, get_hinting_flag
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath

from geo import replay, replay_ffmpeg
from geo.atlas import Atlas
from layers.style import BASEMAP, STATUS_STYLE, STRIKE_STYLE, TOWN_STATUS_COLOR

DPI = 100
PANEL_SHARE = 0.25  # of the width, on the right
CACHED_SNAPSHOTS = 8
VERTEX_BUDGET = 25  # per pixel of frame width: above it, zones are simplified before drawing
FONT = "DejaVu Sans"
TOWN_RGBA = {k: to_rgba(v) for k, v in TOWN_STATUS_COLOR.items()}
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


class Painter:
    """Paints one-line texts straight from FreeType onto a frame's pixels: several times cheaper than a
    matplotlib ``Text`` (no layout machinery) for the texts that change with every frame."""

    def __init__(self, points: float, weight: str, color: str) -> None:
        self.path = findfont(FontProperties(family=FONT, weight=weight))
        self.points = points
        self.color = np.array(to_rgb(color), dtype=np.float32) * 255
        font = self._font("lp")
        self.ascent = (font.get_width_height()[1] - font.get_descent()) / 64

    def _font(self, text: str):
        font = get_font(self.path)
        font.clear()
        font.set_size(self.points, DPI)
        font.set_text(text, 0.0, flags=get_hinting_flag())
        return font

    def paint(self, pixels: np.ndarray, x: float, y_top: float, text: str) -> None:
        """Paint ``text`` with its ascent's top ``y_top`` pixels below the top of ``pixels`` (H x W x 4)."""
        font = self._font(text)
        font.draw_glyphs_to_bitmap(antialiased=True)
        alpha = np.asarray(font.get_image(), dtype=np.float32) / 255
        top = round(y_top + self.ascent - alpha.shape[0] + font.get_descent() / 64)
        left = round(x + font.get_bitmap_offset()[0] / 64)
        h = min(alpha.shape[0], pixels.shape[0] - top)
        w = min(alpha.shape[1], pixels.shape[1] - left)
        if h <= 0 or w <= 0 or top < 0 or left < 0:
            return
        a = alpha[:h, :w, None]
        region = pixels[top:top + h, left:left + w, :3]
        region[:] = (region * (1 - a) + self.color * a + 0.5).astype(np.uint8)


class FrameRenderer:
    """Draws the frames of one replay on a persistent figure; ``draw(frame)`` returns RGBA pixels.

    Per frame: restore the static background, draw the snapshot's cached zones, paste the
    pre-rendered line/label layer over them, then draw towns, strike marks and texts.
    """

    def __init__(self, atlas: Atlas, spec: replay.Spec) -> None:
        self.atlas, self.spec = atlas, spec
        self.width, self.height = spec.size
        self.k = self.height / 720  # font and line scale
        self.frames = replay.schedule(atlas, spec)
        self.held = replay.HeldAreas(atlas, spec, self.frames)
        self.first_km2 = self.held(self.frames[0])
        self.fig, self.ax = self._figure("white")
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax.add_artist(Rectangle((0, 0), 1, 1, transform=self.ax.transAxes, color=BASEMAP["sea"], zorder=0))
        y0, y1 = self.ax.get_ylim()
        self.tolerance = float(f"{(y1 - y0) / self._map_size()[1] * 0.6:.2g}")  # about half a pixel
        self._snapshots: OrderedDict[object, tuple[PathCollection | None, np.ndarray, dict]] = OrderedDict()
        self.towns = replay.key_towns(atlas, self._clip_box())
        self.strike_rows = replay.strikes_in_range(atlas, spec)
        self._static_map()
        self.town_marks = self.ax.scatter(self.towns.geometry.x.to_numpy(), self.towns.geometry.y.to_numpy(),
                                          s=(5 * self.k) ** 2, facecolors="white", edgecolors="#222222",
                                          linewidths=0.8 * self.k, zorder=5, animated=True)
        self.strikes = self.ax.scatter([], [], zorder=6, animated=True, linewidths=0.8 * self.k)
        self.texts = self._panel()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.lines = self._line_layer()
        self._strike_arrays()

    # ---- geometry of the frame ----------------------------------------------------
    def _map_size(self) -> tuple[int, int]:
        panel, strip = round(self.width * PANEL_SHARE), round(24 * self.k)
        return self.width - panel, self.height - strip

    def _figure(self, face: object) -> tuple[Figure, object]:
        """A figure of the frame's size with the map axes framing the region (also used for the line layer)."""
        fig = Figure(figsize=(self.width / DPI, self.height / DPI), dpi=DPI, facecolor=face)
        map_w, map_h = self._map_size()
        strip = self.height - map_h
        ax = fig.add_axes((0, strip / self.height, map_w / self.width, map_h / self.height))
        ax.set_axis_off()
        xlim, ylim, _ = view_limits(self.spec.region.bbox, map_w, map_h)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("auto")
        return fig, ax

    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        """(column, row) of a lon/lat point in the frame image (row 0 at the top)."""
        x, y = self.ax.transData.transform((lon, lat))
        return int(x), int(self.height - y)

    def _clip_box(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        mx, my = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        return x0 - mx, y0 - my, x1 + mx, y1 + my

    def _simplified(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.simplify(shapely.clip_by_rect(geoms, *self._clip_box()), self.tolerance)

    # ---- static layers -------------------------------------------------------------
    def _add_paths(self, ax, path: MplPath | None, *, face: str, edge: str, lw: float, z: float) -> None:
        if path is not None:
            ax.add_collection(PathCollection([path], facecolors=[face], edgecolors=[edge], linewidths=[lw], zorder=z,
                                             transform=ax.transData), autolim=False)

    def _static_map(self) -> None:
        base = replay.basemap()
        self._add_paths(self.ax, compound_path(self._simplified(base["neighbours"].geometry.values)),
                        face=BASEMAP["neighbour_fill"], edge=BASEMAP["neighbour_line"], lw=0.6 * self.k, z=1)
        self._add_paths(self.ax, compound_path(self._simplified(base["ukraine"].geometry.values)),
                        face=BASEMAP["country_fill"], edge="none", lw=0, z=2)

    def _line_layer(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Oblast lines, the region's outline, the border and town labels, rendered once on a transparent
        layer; returns (flat pixel indices, their colours, their opacities) to paste over the zones."""
        fig, ax = self._figure((0, 0, 0, 0))
        canvas = FigureCanvasAgg(fig)
        ax.patch.set_alpha(0)

        def lines(geoms: np.ndarray, color: str, lw: float) -> None:
            rings = shapely.get_rings(shapely.get_parts(self._simplified(geoms)))
            path = rings_path(rings, closed=False)
            if path is not None:
                ax.add_collection(PathCollection([path], facecolors="none", edgecolors=[color], linewidths=[lw],
                                                 transform=ax.transData), autolim=False)

        shapes = replay.oblasts(self.atlas)
        if shapes is not None:
            lines(shapes.geometry.values, "#6e6e6e", 0.5 * self.k)
        if self.spec.region.shape is not None:
            lines(np.array([self.spec.region.shape]), "#222222", 1.4 * self.k)
        lines(replay.basemap()["ukraine"].geometry.values, BASEMAP["country_line"], 0.9 * self.k)
        for x, y, name in zip(self.towns.geometry.x, self.towns.geometry.y, self.towns["name"], strict=True):
            ax.text(x, y, f"  {name}", fontsize=8 * self.k, family=FONT, va="center", color="#222222",
                    path_effects=HALO, parse_math=False, clip_on=True)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba()).reshape(-1, 4)
        idx = np.flatnonzero(rgba[:, 3])
        return idx, rgba[idx, :3].astype(np.float32), rgba[idx, 3:4].astype(np.float32) / 255.0

    def _text(self, x: float, y_top: float, text: str, size: float, **kw) -> object:
        """A figure text at pixel ``x`` and ``y_top`` pixels below the top edge (``size`` scales with the frame)."""
        return self.fig.text(x / self.width, 1 - y_top / self.height, text, fontsize=size * self.k, family=FONT,
                             va="top", parse_math=False, **kw)

    def _width(self, text: str, size: float, weight: str = "normal") -> float:
        """Pixel width of ``text`` at ``size`` (scaled) points."""
        prop = FontProperties(family=FONT, size=size * self.k, weight=weight)
        return self.canvas.get_renderer().get_text_width_height_descent(text, prop, ismath=False)[0]

    def _wrap(self, text: str, size: float, room: float, weight: str = "normal", lines: int = 3) -> str:
        """``text`` wrapped on words into at most ``lines`` lines of at most ``room`` pixels."""
        out: list[str] = []
        for word in text.split():
            if out and self._width(f"{out[-1]} {word}", size, weight) <= room:
                out[-1] = f"{out[-1]} {word}"
            else:
                out.append(word)
        if len(out) > lines:
            out = out[:lines]
            out[-1] = out[-1] + " …"
        return "\n".join(self._clip(line, size, room, weight) for line in out)

    def _clip(self, text: str, size: float, room: float, weight: str = "normal") -> str:
        """``text`` cut with an ellipsis to fit ``room`` pixels."""
        if self._width(text, size, weight) <= room:
            return text
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if self._width(text[:mid] + "…", size, weight) <= room else (lo, mid - 1)
        return text[:lo] + "…"

    def _panel(self) -> dict[str, object]:
        """Title, legend and attribution (static); returns the changing texts' painters and places."""
        k, x = self.k, self.width - round(self.width * PANEL_SHARE) + 16 * self.k
        room = round(self.width * PANEL_SHARE) - 28 * k
        y = 14 * k
        title = self._wrap(self.spec.title, 13, room, "bold")
        if title:
            self._text(x, y, title, 13, weight="bold", color="#111111", linespacing=1.15)
            y += (title.count("\n") + 1) * 21 * k + 10 * k
        date_size = min(26.0, 26.0 * room / self._width("30 September 2022", 26, "bold")) * k
        texts = {"date": (Painter(date_size, "bold", "#111111"), x, y)}
        y += date_size * 1.45 + 4 * k
        texts["note"] = (Painter(10 * k, "normal", "#444444"), x, y)
        y += 32 * k
        self._text(x, y, "Held by the invading force", 10, color="#444444")
        texts["held"] = (Painter(15 * k, "bold", STATUS_STYLE["occupied"]["color"]), x, y + 16 * k)
        texts["change"] = (Painter(10 * k, "normal", "#444444"), x, y + 40 * k)
        self._legend(x, y + 72 * k, room)
        line = self._clip(replay.attribution(self.atlas), 7.5, self.width - 16 * k)
        self._text(8 * k, self._map_size()[1] + 6 * k, line, 7.5, color="#333333")
        return texts

    def _legend(self, x: float, y: float, room: float) -> None:
        k, row = self.k, 17 * self.k
        entries = [(replay.zone_fill(s), STATUS_STYLE[s]["label"], "s")
                   for s in replay.shown_statuses(self.atlas, self.spec, self.frames)]
        kinds = set(self.strike_rows["kind"])
        entries += [(v["color"], f"{v['label']} strike", "o") for s, v in STRIKE_STYLE.items() if s in kinds]
        if len(self.towns):
            entries.append((TOWN_STATUS_COLOR["free"], "Capital / oblast centre", "o"))
        bottom = self._map_size()[1] - 8 * k
        for color, label, marker in entries:
            if y + row > bottom:
                break
            mark = Line2D([(x + 7 * k) / self.width], [1 - (y + 7 * k) / self.height], marker=marker,
                          markersize=(10 if marker == "s" else 8) * k, markerfacecolor=color,
                          markeredgecolor="#444444", markeredgewidth=0.6, linestyle="none",
                          transform=self.fig.transFigure)
            self.fig.add_artist(mark)
            self._text(x + 22 * k, y, self._clip(label, 9, room - 22 * k), 9, color="#222222")
            y += row

    def _strike_arrays(self) -> None:
        rows = self.strike_rows
        self.strike_xy = np.column_stack([rows.geometry.x.to_numpy(), rows.geometry.y.to_numpy()])
        self.strike_sizes = (rows["radius"].to_numpy(dtype=float) * 0.8 * self.k * 72 / DPI * 2) ** 2
        self.strike_faces = np.array([to_rgba(STRIKE_STYLE.get(kd, STRIKE_STYLE["other"])["color"])
                                      for kd in rows["kind"]]).reshape(-1, 4)

    # ---- per frame ---------------------------------------------------------------
    def _tolerance(self, frame: replay.Frame) -> float:
        """The frame's simplification tolerance, or 0 when the zones are light enough to draw as they are
        (simplifying then costs more than drawing the extra vertices saves)."""
        full = replay.zones(self.atlas, self.spec, frame)
        heavy = shapely.get_num_coordinates(full.geometry.values).sum() > VERTEX_BUDGET * self.width
        return self.tolerance if heavy else 0.0

    def _snapshot(self, frame: replay.Frame) -> tuple[PathCollection | None, np.ndarray, dict[str, str]]:
        """The zones' collection, the key towns' colours and the panel texts of ``frame``'s snapshot (cached)."""
        key = frame.as_of
        if key in self._snapshots:
            self._snapshots.move_to_end(key)
            return self._snapshots[key]
        shown = replay.display_zones(self.atlas, self.spec, frame, self._tolerance(frame))
        paths, faces, edges = [], [], []
        for status in [s for s in STATUS_STYLE if s in set(shown["status"])]:
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
        status = replay.ground(self.towns.geometry, shown, self.atlas.land)
        colors = np.array([TOWN_RGBA.get(s, TOWN_RGBA["free"]) for s in status]).reshape(-1, 4)
        held, change = replay.counter(self.held(frame), self.first_km2, self.spec.start)
        texts = {"note": replay.stamp(frame)[1], "held": held, "change": change}
        self._snapshots[key] = (coll, colors, texts)
        if len(self._snapshots) > CACHED_SNAPSHOTS:
            old = self._snapshots.popitem(last=False)[1][0]
            if old is not None:
                old.remove()
        return self._snapshots[key]

    def _paste_lines(self) -> None:
        idx, color, alpha = self.lines
        flat = np.asarray(self.canvas.buffer_rgba()).reshape(-1, 4)
        under = flat[idx, :3].astype(np.float32)
        flat[idx, :3] = (under + (color - under) * alpha + 0.5).astype(np.uint8)

    def _draw_strikes(self, frame: replay.Frame) -> None:
        first, stop, ages = replay.window(self.strike_rows["time"], frame.date, self.spec.window_days)
        if stop == first:
            return
        alpha = replay.fade(ages, self.spec.window_days)
        face = self.strike_faces[first:stop].copy()
        face[:, 3] = alpha * 0.85
        edge = np.zeros((stop - first, 4))
        edge[:, :3] = 0.067
        edge[:, 3] = alpha
        self.strikes.set_offsets(self.strike_xy[first:stop])
        self.strikes.set_sizes(self.strike_sizes[first:stop])
        self.strikes.set_facecolors(face)
        self.strikes.set_edgecolors(edge)
        self.ax.draw_artist(self.strikes)

    def draw(self, frame: replay.Frame) -> memoryview:
        """The RGBA pixels (height x width x 4, row 0 at the top) of ``frame``."""
        coll, town_colors, texts = self._snapshot(frame)
        self.canvas.restore_region(self.background)
        if coll is not None:
            self.ax.draw_artist(coll)
        self._paste_lines()
        if len(town_colors):
            self.town_marks.set_facecolors(town_colors)
            self.ax.draw_artist(self.town_marks)
        self._draw_strikes(frame)
        pixels = np.asarray(self.canvas.buffer_rgba())
        for name, value in {**texts, "date": replay.stamp(frame)[0]}.items():
            painter, x, y = self.texts[name]
            painter.paint(pixels, x, y, value)
        return self.canvas.buffer_rgba()

    def close(self) -> None:
        """Stop measuring snapshots ahead."""
        self.held.close()

    def image(self, frame: replay.Frame) -> np.ndarray:
        """``frame`` as an RGB array (height x width x 3), a copy."""
        return np.asarray(self.draw(frame))[:, :, :3].copy()


def write(atlas: Atlas, spec: replay.Spec, out: Path, fmt: str, progress: replay.Progress | None = None) -> None:
    """Render every frame of ``spec`` into ``out`` as ``fmt`` ('mp4' or 'gif')."""
    renderer = FrameRenderer(atlas, spec)
    frames = renderer.frames

    def stream() -> Iterator[memoryview]:
        for i, frame in enumerate(frames):
            yield renderer.draw(frame)
            if progress is not None:
                progress(i + 1, len(frames))

    try:
        if fmt == "gif":  # the palette comes from the first, middle and last frames
            samples = (bytes(renderer.draw(frames[i])) for i in sorted({0, len(frames) // 2, len(frames) - 1}))
            replay_ffmpeg.write_gif(samples, stream(), spec.size, spec.fps, out)
        else:
            replay_ffmpeg.write_mp4(stream(), spec.size, spec.fps, out)
    finally:
        renderer.close()
