"""The HTML replay: one file that plays with no network (Leaflet inlined), small for long ranges.

Zones are simplified as a coverage (``geo.display.simplify_zones``), cut along a grid of
``CELL``-degree cells and gridded to ``geo.display.PRECISION``; each distinct piece (status
and exact geometry) is stored ONCE with the interval of snapshots in which it stays
unchanged, so a daily replay stores mostly the few cells where the front moved. Coordinates
are integers of ``PRECISION`` degrees, delta-encoded per ring. Every text from the data is
HTML-escaped (``layers.base.text``) and the data sits in a ``<script type="application/json">``
with ``<`` escaped, so nothing in a data file can end the script or inject markup.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo import display, replay
from geo.atlas import Atlas
from layers.base import text
from layers.basemap import leaflet_file
from layers.style import BASEMAP, STATUS_STYLE, STRIKE_STYLE, TOWN_STATUS_COLOR

CELL = 0.5  # degrees: pieces are cut along this grid so a moving front changes few of them
TOLERANCE = display.DEFAULT_TOLERANCE  # ~100 m: sharp up to zoom ~11
BASE_TOLERANCE = 0.005
SCALE = round(1 / display.PRECISION)  # coordinates are integers of PRECISION degrees


def encode(geom: shapely.Geometry) -> list[list[int]]:
    """A polygon as rings of delta-encoded integer coordinates (closing point dropped)."""
    rings = []
    for ring in shapely.get_rings(geom):
        xy = np.rint(shapely.get_coordinates(ring)[:-1] * SCALE).astype(np.int64)
        if len(xy) < 3:
            continue
        rings.append(np.diff(xy, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel().tolist())
    return rings


def polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(polygons, position of the input each came from): the non-empty polygons of ``geoms``."""
    parts, index = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON.value) & (shapely.area(parts) > 0)
    return parts[keep], index[keep]


def cut(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pieces, position of the input each came from): ``geoms`` cut along the ``CELL`` grid, normalised
    so that the same area cut from differently ordered rings is the same geometry."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.array([], dtype=object), np.array([], dtype=int)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    xs = np.arange(math.floor(x0 / CELL) * CELL, x1 + CELL, CELL)
    ys = np.arange(math.floor(y0 / CELL) * CELL, y1 + CELL, CELL)
    gx, gy = (a.ravel() for a in np.meshgrid(xs[:-1], ys[:-1]))
    geom_i, cell_i = shapely.STRtree(shapely.box(gx, gy, gx + CELL, gy + CELL)).query(geoms, predicate="intersects")
    order = np.lexsort((geom_i, cell_i))
    geom_i, cell_i = geom_i[order], cell_i[order]
    inside = np.empty(len(geom_i), dtype=object)
    for start in np.flatnonzero(np.diff(cell_i, prepend=-1)):  # one fast rectangle clip per cell
        c = cell_i[start]
        stop = start + np.searchsorted(cell_i[start:], c, side="right")
        inside[start:stop] = shapely.clip_by_rect(geoms[geom_i[start:stop]], gx[c], gy[c], gx[c] + CELL, gy[c] + CELL)
    pieces, index = polygons(inside)
    return shapely.normalize(pieces), geom_i[index]


def snapshots(frames: list[replay.Frame]) -> list:
    """The distinct snapshots the frames show, in order."""
    return list(dict.fromkeys(f.as_of for f in frames if f.as_of is not None))


def zone_data(atlas: Atlas, spec: replay.Spec, frames: list[replay.Frame], areas: replay.HeldAreas,
              progress: replay.Progress | None) -> dict:
    """Pieces with their snapshot intervals, the snapshots, and the key towns' colours per snapshot."""
    snaps = snapshots(frames)
    geoms: dict[bytes, int] = {}
    coords: list[list[list[int]]] = []
    pieces: list[list[int]] = []  # [geometry, status, first snapshot, last snapshot]
    open_: dict[tuple[int, int], int] = {}  # (geometry, status) -> its piece open at the previous snapshot
    status_ids = {s: i for i, s in enumerate(STATUS_STYLE)}
    towns = replay.key_towns(atlas, spec.region.bbox)
    town_colors = []
    for k, as_of in enumerate(snaps):
        frame = next(f for f in frames if f.as_of == as_of)
        areas.ahead(frame)  # measured in the background while this snapshot is cut
        shown = replay.display_zones(atlas, spec, frame, TOLERANCE)
        seen: dict[tuple[int, int], int] = {}
        status = shown["status"].to_numpy()
        parts, source = cut(shown.geometry.values)
        for i, piece, wkb in zip(source, parts, shapely.to_wkb(parts), strict=True):
            if wkb not in geoms:
                geoms[wkb] = len(coords)
                coords.append(encode(piece))
            key = (geoms[wkb], status_ids.get(status[i], len(status_ids) - 1))
            if key in seen:
                continue
            if key in open_:
                pieces[open_[key]][3] = k
                seen[key] = open_[key]
            else:
                seen[key] = len(pieces)
                pieces.append([key[0], key[1], k, k])
        open_ = seen
        held = replay.ground(towns.geometry, replay.zones(atlas, spec, frame), atlas.land)
        town_colors.append({str(i): TOWN_STATUS_COLOR[s] for i, s in enumerate(held) if s != "free"})
        if progress is not None:
            progress(k + 1, len(snaps) + 1)
    return {"geoms": coords, "pieces": pieces, "snaps": [a.strftime("%Y-%m-%d") for a in snaps],
            "townColors": town_colors}


def base_data(atlas: Atlas, spec: replay.Spec) -> dict:
    """The offline basemap (neighbours, Ukraine, oblasts when loaded) as encoded polygons."""
    x0, y0, x1, y1 = spec.region.bbox
    m = max(x1 - x0, y1 - y0) * 0.5
    area = (x0 - m, y0 - m, x1 + m, y1 + m)

    def layer(geoms: np.ndarray) -> list:
        simple = shapely.set_precision(shapely.simplify(shapely.clip_by_rect(geoms, *area), BASE_TOLERANCE),
                                       display.PRECISION)
        return [encode(p) for p in polygons(simple)[0]]

    base = replay.basemap()
    out = {"neighbours": layer(base["neighbours"].geometry.values), "ukraine": layer(base["ukraine"].geometry.values)}
    shapes = replay.oblasts(atlas)
    out["oblasts"] = layer(shapes.geometry.values) if shapes is not None else []
    out["region"] = layer(np.array([spec.region.shape])) if spec.region.shape is not None else []
    return out


def strike_data(rows: gpd.GeoDataFrame) -> list[list]:
    """Each strike of ``replay.strikes_in_range`` once: [lon, lat, kind, minute since epoch, radius, tooltip]."""
    out = []
    kinds = list(STRIKE_STYLE)
    for r, g in zip(rows.to_dict("records"), rows.geometry, strict=True):
        tip = text(f"{r['place'] or 'unknown place'}, {r['time']:%Y-%m-%d}: {str(r['kind']).replace('_', ' ')}")
        out.append([round(g.x, 4), round(g.y, 4), kinds.index(r["kind"]) if r["kind"] in kinds else len(kinds) - 1,
                    int(r["time"].timestamp() // 60), r["radius"], tip])
    return out


def payload(atlas: Atlas, spec: replay.Spec, progress: replay.Progress | None = None) -> dict:
    """Everything the page needs, with every data text escaped."""
    frames = replay.schedule(atlas, spec)
    snap_index = {t: i for i, t in enumerate(snapshots(frames))}
    areas = replay.HeldAreas(atlas, spec, frames)
    try:
        zone = zone_data(atlas, spec, frames, areas, progress)
        first = areas(frames[0])
        rows = []
        for f in frames:
            date, note = replay.stamp(f)
            held, change = replay.counter(areas(f), first, spec.start)
            k = snap_index[f.as_of] if f.as_of is not None else -1
            rows.append([f.date.isoformat(), k, text(date), text(note), text(held), text(change)])
    finally:
        areas.close()
    present = set(replay.shown_statuses(atlas, spec, frames))
    strikes = replay.strikes_in_range(atlas, spec)
    kinds = set(strikes["kind"])
    towns = replay.key_towns(atlas, spec.region.bbox)
    return {
        "title": text(spec.title), "attribution": text(replay.attribution(atlas)), "bbox": list(spec.region.bbox),
        "fps": spec.fps, "window": spec.window_days, "scale": SCALE, "basemap": BASEMAP,
        "statuses": [{"fill": replay.zone_fill(s), "color": v["color"], "label": text(v["label"]),
                      "legend": s in present} for s, v in STATUS_STYLE.items()],
        "kinds": [{"color": v["color"], "label": text(v["label"] + " strike"), "legend": k in kinds}
                  for k, v in STRIKE_STYLE.items()],
        "towns": [[round(g.x, 4), round(g.y, 4), text(n)] for g, n in zip(towns.geometry, towns["name"], strict=True)],
        "frames": rows, "strikes": strike_data(strikes), "base": base_data(atlas, spec), **zone,
    }


def script_json(data: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<`` can end it or open a comment."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def page(data: dict) -> str:
    """The self-contained HTML page for ``data``."""
    css = leaflet_file("leaflet.css").read_text("utf-8")
    js = leaflet_file("leaflet.js").read_text("utf-8")
    parts = {"TITLE": data["title"] or "frontline replay", "LEAFLET_CSS": css, "CSS": CSS, "LEAFLET_JS": js,
             "APP_JS": APP_JS, "DATA": script_json(data)}
    return re.sub(r"%(TITLE|LEAFLET_CSS|CSS|LEAFLET_JS|APP_JS|DATA)%", lambda m: parts[m.group(1)], TEMPLATE)


def write(atlas: Atlas, spec: replay.Spec, out: Path, progress: replay.Progress | None = None) -> None:
    """Write the HTML replay of ``spec`` to ``out``."""
    data = payload(atlas, spec, progress)
    out.write_text(page(data), "utf-8")
    if progress is not None:
        total = len(data["snaps"]) + 1
        progress(total, total)


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>%TITLE%</title>
<style>%LEAFLET_CSS%</style><style>%CSS%</style></head>
<body>
<div id="map"></div>
<aside id="panel"><div id="title"></div><div id="date"></div><div id="note"></div>
<div class="muted">Held by the invading force</div><div id="held"></div><div id="change" class="muted"></div>
<div id="legend"></div></aside>
<div id="bar"><button id="play" type="button" title="Play / pause (space)">&#9654; Play</button>
<label>Speed <select id="speed"><option value="0.5">0.5&times;</option><option value="1" selected>1&times;</option>
<option value="2">2&times;</option><option value="4">4&times;</option></select></label>
<input id="scrub" type="range" min="0" value="0" step="1" aria-label="Date"><span id="pos"></span></div>
<div id="attr"></div>
<script type="application/json" id="replay-data">%DATA%</script>
<script>%LEAFLET_JS%</script>
<script>%APP_JS%</script>
</body></html>
"""

CSS = """
html, body { margin: 0; height: 100%; font-family: system-ui, "DejaVu Sans", sans-serif; color: #111; }
#map { position: absolute; top: 0; bottom: 64px; left: 0; right: 25%; }
#panel { position: absolute; top: 0; right: 0; width: 25%; bottom: 64px; padding: 14px 16px; box-sizing: border-box;
  overflow-y: auto; background: #fff; }
#panel { overflow-wrap: anywhere; }
#title { font-weight: 700; font-size: 20px; margin-bottom: 6px; }
#date { font-weight: 700; font-size: min(34px, 2.1vw); line-height: 1.1; white-space: nowrap; }
#note, .muted { color: #444; font-size: 14px; }
#held { font-weight: 700; font-size: 22px; color: #c0392b; margin-top: 2px; }
#note { margin-bottom: 14px; }
#legend { margin-top: 16px; font-size: 13px; line-height: 20px; }
#legend i { display: inline-block; width: 13px; height: 11px; margin-right: 7px; border: 1px solid #555;
  vertical-align: -1px; }
#legend i.dot { border-radius: 50%; width: 11px; }
#bar { position: absolute; left: 0; right: 0; bottom: 22px; height: 42px; display: flex; align-items: center;
  gap: 12px; padding: 0 12px; background: #f4f4f0; border-top: 1px solid #ccc; font-size: 14px; }
#scrub { flex: 1; }
#play { font-size: 14px; min-width: 88px; padding: 4px 8px; }
#attr { position: absolute; left: 0; right: 0; bottom: 0; height: 22px; line-height: 22px; padding: 0 8px;
  font-size: 11px; color: #333; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fl-label { background: transparent; border: 0; box-shadow: none; font-size: 12px; font-weight: 600; color: #222;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; padding: 0 0 0 4px; }
.fl-label:before { display: none; }
"""

APP_JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("replay-data").textContent);
  var S = 1 / D.scale, B = D.basemap;
  function ring(a) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([y * S, x * S]); }
    return out;
  }
  function poly(rings, opts) { return L.polygon(rings.map(ring), opts); }
  var map = L.map("map", {attributionControl: false, zoomSnap: 0.25, preferCanvas: false});
  window.replayMap = map;
  var panes = {basemap: 350, lines: 430, towns: 440, strikes: 450};
  D.statuses.forEach(function (s, i) { panes["zone" + i] = 410 + i; });
  Object.keys(panes).forEach(function (p) { map.createPane(p).style.zIndex = panes[p]; });
  map.getContainer().style.background = B.sea;
  var still = {interactive: false};
  D.base.neighbours.forEach(function (p) { poly(p, Object.assign({pane: "basemap", fillColor: B.neighbour_fill,
    fillOpacity: 1, color: B.neighbour_line, weight: 1}, still)).addTo(map); });
  D.base.ukraine.forEach(function (p) { poly(p, Object.assign({pane: "basemap", fillColor: B.country_fill,
    fillOpacity: 1, stroke: false}, still)).addTo(map); });
  D.base.oblasts.forEach(function (p) { poly(p, Object.assign({pane: "lines", fill: false, color: "#6e6e6e",
    weight: 0.8}, still)).addTo(map); });
  D.base.ukraine.forEach(function (p) { poly(p, Object.assign({pane: "lines", fill: false,
    color: B.country_line, weight: 1.5}, still)).addTo(map); });
  D.base.region.forEach(function (p) { poly(p, Object.assign({pane: "lines", fill: false, color: "#222",
    weight: 2.5}, still)).addTo(map); });
  var b = D.bbox;
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);

  var towns = D.towns.map(function (t) {
    return L.circleMarker([t[1], t[0]], {pane: "towns", radius: 5, fillColor: "#ffffff", fillOpacity: 1,
      color: "#222", weight: 1.2, interactive: false})
      .bindTooltip(t[2], {permanent: true, direction: "right", className: "fl-label", pane: "towns"}).addTo(map);
  });
  var layers = new Array(D.pieces.length), shown = new Array(D.pieces.length).fill(false);
  function piece(i) {
    if (!layers[i]) {
      var p = D.pieces[i], st = D.statuses[p[1]];
      layers[i] = poly(D.geoms[p[0]], {pane: "zone" + p[1], fillColor: st.fill, fillOpacity: 1, color: st.fill,
        weight: 1, opacity: 1, interactive: false});
    }
    return layers[i];
  }
  var strikeGroup = L.layerGroup().addTo(map);
  var times = D.strikes.map(function (s) { return s[3]; });
  function lowerBound(t) { var lo = 0, hi = times.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; } return lo; }
  function drawStrikes(iso) {
    strikeGroup.clearLayers();
    var end = Date.parse(iso + "T00:00:00Z") / 60000 + 1440, start = end - D.window * 1440;
    for (var i = lowerBound(start); i < times.length && times[i] < end; i++) {
      var s = D.strikes[i], age = (end - s[3]) / 1440, a = Math.max(0.35, 1 - 0.65 * age / D.window);
      L.circleMarker([s[1], s[0]], {pane: "strikes", radius: s[4], fillColor: D.kinds[s[2]].color,
        fillOpacity: 0.85 * a, color: "#111", opacity: a, weight: 1.5}).bindTooltip(s[5]).addTo(strikeGroup);
    }
  }
  function $(id) { return document.getElementById(id); }
  var current = -1, snap = -2;
  function show(n) {
    var f = D.frames[n];
    current = n;
    if (f[1] !== snap) {
      snap = f[1];
      for (var i = 0; i < D.pieces.length; i++) {
        var p = D.pieces[i], on = p[2] <= snap && snap <= p[3];
        if (on !== shown[i]) { if (on) piece(i).addTo(map); else map.removeLayer(layers[i]); shown[i] = on; }
      }
      var colors = snap >= 0 ? D.townColors[snap] : {};
      towns.forEach(function (t, i) { t.setStyle({fillColor: colors[i] || "#ffffff"}); });
    }
    drawStrikes(f[0]);
    $("date").innerHTML = f[2]; $("note").innerHTML = f[3]; $("held").innerHTML = f[4]; $("change").innerHTML = f[5];
    $("scrub").value = n; $("pos").textContent = (n + 1) + " / " + D.frames.length;
    document.body.setAttribute("data-date", f[0]);
  }
  $("title").innerHTML = D.title;
  $("attr").innerHTML = D.attribution;
  var legend = "";
  D.statuses.forEach(function (s) { if (s.legend) legend += "<div><i style=\"background:" + s.fill + "\"></i>" +
    s.label + "</div>"; });
  D.kinds.forEach(function (k) { if (k.legend) legend += "<div><i class=\"dot\" style=\"background:" + k.color +
    "\"></i>" + k.label + "</div>"; });
  if (D.towns.length) legend += "<div><i class=\"dot\" style=\"background:#fff\"></i>Capital / oblast centre</div>";
  $("legend").innerHTML = legend;
  var scrub = $("scrub"), timer = null;
  scrub.max = D.frames.length - 1;
  function stop() { if (timer) { clearInterval(timer); timer = null; } $("play").innerHTML = "&#9654; Play"; }
  function play() {
    if (current >= D.frames.length - 1) show(0);
    var every = 1000 / (D.fps * parseFloat($("speed").value));
    timer = setInterval(function () { if (current >= D.frames.length - 1) stop(); else show(current + 1); }, every);
    $("play").innerHTML = "&#10073;&#10073; Pause";
  }
  $("play").addEventListener("click", function () { if (timer) stop(); else play(); });
  $("speed").addEventListener("change", function () { if (timer) { stop(); play(); } });
  scrub.addEventListener("input", function () { stop(); show(parseInt(scrub.value, 10)); });
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
    if (e.key === " ") { e.preventDefault(); if (timer) stop(); else play(); }
    else if (e.key === "ArrowRight") { stop(); show(Math.min(D.frames.length - 1, current + 1)); }
    else if (e.key === "ArrowLeft") { stop(); show(Math.max(0, current - 1)); }
  });
  window.replay = {show: show, frames: D.frames.length, play: play, stop: stop};
  show(0);
})();
"""
