"""What changed between two dates of one source, and where two sources disagree at one date.

``held`` is occupied ∪ occupied_before. For D1 < D2 of one source, ``gain`` = held(D2) − held(D1)
and ``loss`` = held(D1) − held(D2); contested ground that appeared or vanished is reported the
same way (``contested_gain`` / ``contested_loss``). Areas are on the WGS84 ellipsoid, on full-resolution
geometry. Slivers from re-drawn edges (pieces under 0.05 km² or thinner than about 50 m) are
dropped and counted. Results are cached in ``atlas.cache`` per (source, snapshot, snapshot), so
dates that fall on the same snapshots cost nothing; cached frames are shared: do not modify them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import analysis, export, model, timeline
from geo.atlas import Atlas

CHANGES = ("gain", "loss", "contested_gain", "contested_loss")
DISAGREEMENTS = ("a_only", "b_only")
CONTESTED = ("contested",)
SLIVER_KM2 = 0.05
SLIVER_WIDTH_M = 50.0
SLIVER_RULE = f"pieces under {SLIVER_KM2} km² or thinner than {SLIVER_WIDTH_M:.0f} m (negative buffer in EPSG:3035)"
# The side a town's status puts it on; a town changed hands when its side changed.
SIDE = {"occupied": "invader", "occupied_before": "invader", "contested": "contested"}
DEFENDER = "defender"
ADMIN1_HINT = "no oblast boundaries loaded (python -m geo import boundaries FILE --into DIR adds them)"
OUTSIDE = "outside oblasts"
TOWN_COLUMNS = ["town_id", "name", "population", "admin1", "status_from", "status_to"]


# ---- shared building blocks -------------------------------------------------------------
def resolve_source(atlas: Atlas, source: str | None) -> str:
    """``source``, or the source with most snapshots when None; DataError when it is not loaded."""
    if not atlas.sources:
        raise model.DataError("no control zones are loaded, so there is nothing to compare")
    if source is None:
        return atlas.sources[0]
    if source not in atlas.sources:
        raise model.DataError(f"unknown source '{source}'; loaded sources: {', '.join(atlas.sources)}")
    return source


def _snapshot(atlas: Atlas, day: dt.date, source: str) -> pd.Timestamp:
    as_of = atlas.snapshot_at(day, source)
    if as_of is None:
        raise model.DataError(f"no {source} snapshot on or before {day}; its first is "
                              f"{atlas.snapshots(source)[0]:%Y-%m-%d}")
    return as_of


def admin1_boundaries(atlas: Atlas) -> gpd.GeoDataFrame | None:
    """One (prepared) geometry per oblast from the store's ``boundaries`` table, or None when not loaded."""
    table = atlas.table("boundaries")
    if table is None or "admin1" not in table.columns or not isinstance(table, gpd.GeoDataFrame):
        return None
    if "level" in table.columns:
        table = table[table["level"] == "admin1"]
    table = table[table["admin1"].notna() & ~table.geometry.isna()]
    if table.empty:
        return None

    def make() -> gpd.GeoDataFrame:
        names = sorted(table["admin1"].astype(str).unique())
        geoms = [shapely.union_all(table.geometry[table["admin1"].astype(str) == n].values) for n in names]
        shapely.prepare(geoms)
        return gpd.GeoDataFrame({"admin1": names}, geometry=geoms, crs=model.CRS)

    return atlas.cache.get(("admin1-boundaries",), make)


def split_admin1(change: str, geom: shapely.Geometry, oblasts: gpd.GeoDataFrame | None) -> list[tuple]:
    """(change, admin1, geometry) pieces of ``geom``; each bit of area goes to one oblast, or None outside all."""
    if oblasts is None:
        return [(change, None, geom)]
    bgeoms, names = oblasts.geometry.values, oblasts["admin1"].to_numpy()
    tree = oblasts.sindex
    hits = tree.query(geom, predicate="intersects")
    for j in hits:
        if shapely.contains(bgeoms[j], geom):
            return [(change, names[j], geom)]
    out, rest = [], geom
    for j in hits:
        part = analysis.polygonal(shapely.intersection(rest, bgeoms[j]))
        if part is not None:
            out.append((change, names[j], part))
            rest = shapely.difference(rest, bgeoms[j])
    rest = analysis.polygonal(rest)
    return out + ([(change, None, rest)] if rest is not None else [])


def pieces(geoms: dict[str, shapely.Geometry], oblasts: gpd.GeoDataFrame | None = None
           ) -> tuple[gpd.GeoDataFrame, dict[str, dict[str, float]]]:
    """Rows (change, area_km2, admin1, geometry) for the polygons of each named geometry, slivers dropped.

    Returns the frame (largest pieces first within each change) and, per name, the number and
    km² of the slivers dropped.
    """
    rows: list[tuple] = []
    slivers: dict[str, dict[str, float]] = {}
    for name, geom in geoms.items():
        parts = analysis.polygon_parts(geom)
        area = analysis.areas_km2(parts)
        drop = area < SLIVER_KM2
        drop[~drop] = analysis.thinner_than(parts[~drop], SLIVER_WIDTH_M)
        slivers[name] = {"count": int(drop.sum()), "area_km2": float(area[drop].sum())}
        for part in parts[~drop]:
            rows.extend(split_admin1(name, part, oblasts))
    frame = gpd.GeoDataFrame(
        {"change": [r[0] for r in rows], "admin1": pd.Series([r[1] for r in rows], dtype=object)},
        geometry=gpd.GeoSeries([r[2] for r in rows], crs=model.CRS), crs=model.CRS,
    )
    frame["area_km2"] = analysis.areas_km2(frame.geometry.values)
    order = frame["change"].map({c: i for i, c in enumerate(geoms)})
    frame = frame.assign(_o=order).sort_values(["_o", "area_km2"], ascending=[True, False], kind="stable")
    return frame[["change", "area_km2", "admin1", "geometry"]].reset_index(drop=True), slivers


def town_changes(towns: gpd.GeoDataFrame, zones_from: gpd.GeoDataFrame, zones_to: gpd.GeoDataFrame,
                 land: shapely.Geometry | None = None) -> gpd.GeoDataFrame:
    """Towns whose side (invader / contested / defender) differs between two sets of zones, biggest first."""
    s1 = timeline.town_status(towns, zones_from, land).to_numpy()
    s2 = timeline.town_status(towns, zones_to, land).to_numpy()
    side1 = np.array([SIDE.get(s, DEFENDER) for s in s1], dtype=object)
    side2 = np.array([SIDE.get(s, DEFENDER) for s in s2], dtype=object)
    changed = side1 != side2
    out = towns.loc[changed, ["town_id", "name", "population", "admin1", "geometry"]].copy()
    out.insert(4, "status_from", s1[changed])
    out.insert(5, "status_to", s2[changed])
    out = out.sort_values("population", ascending=False, na_position="last", kind="stable")
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=model.CRS)


def _totals(zones: gpd.GeoDataFrame, names: tuple[str, ...]) -> dict[str, float]:
    km2 = zones.groupby("change")["area_km2"].sum()
    return {n: float(km2.get(n, 0.0)) for n in names}


def _by_admin1(zones: gpd.GeoDataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({"admin1": zones["admin1"].fillna(OUTSIDE).astype(str), "change": zones["change"],
                          "area_km2": zones["area_km2"]})
    table = frame.pivot_table(index="admin1", columns="change", values="area_km2", aggfunc="sum", fill_value=0.0)
    return table.reindex(columns=list(names), fill_value=0.0).rename_axis(columns=None)


# ---- diff of two dates --------------------------------------------------------------------
@dataclass(frozen=True)
class Diff:
    """Gains, losses and towns that changed hands between two snapshots of one source."""

    source: str
    date_from: dt.date
    date_to: dt.date
    snapshot_from: pd.Timestamp
    snapshot_to: pd.Timestamp
    zones: gpd.GeoDataFrame  # change, area_km2, admin1, geometry (full resolution)
    towns: gpd.GeoDataFrame  # TOWN_COLUMNS + geometry, most populous first
    held_from_km2: float
    held_to_km2: float
    slivers: dict[str, dict[str, float]]
    admin1_loaded: bool

    def totals(self) -> dict[str, float]:
        """km² per change, ``net`` (gain − loss), ``contested_net``, and held at both ends."""
        out = _totals(self.zones, CHANGES)
        out["net"] = out["gain"] - out["loss"]
        out["contested_net"] = out["contested_gain"] - out["contested_loss"]
        out.update(held_from=self.held_from_km2, held_to=self.held_to_km2,
                   held_change=self.held_to_km2 - self.held_from_km2)
        return out

    def by_admin1(self) -> pd.DataFrame:
        """km² per oblast (rows) and change (columns) with ``net``, biggest first; empty without boundaries."""
        if not self.admin1_loaded:
            return pd.DataFrame(columns=[*CHANGES, "net"], dtype=float)
        table = _by_admin1(self.zones, CHANGES)
        table["net"] = table["gain"] - table["loss"]
        return table.loc[table["net"].abs().sort_values(ascending=False, kind="stable").index]


def diff(atlas: Atlas, date_from: object, date_to: object, source: str | None = None) -> Diff:
    """What changed in ``source`` (the one with most snapshots by default) between two dates, D1 < D2."""
    source = resolve_source(atlas, source)
    first, last = atlas.dates
    d1, d2 = timeline.check_date(date_from, first, last), timeline.check_date(date_to, first, last)
    if d1 >= d2:
        raise model.DataError(f"the first date ({d1}) must be before the second ({d2})")
    t1, t2 = _snapshot(atlas, d1, source), _snapshot(atlas, d2, source)
    core = atlas.cache.get(("diff", source, t1, t2), lambda: _diff(atlas, source, d1, d2))
    return dataclasses.replace(core, date_from=d1, date_to=d2)


def _diff(atlas: Atlas, source: str, d1: dt.date, d2: dt.date) -> Diff:
    t1, t2 = atlas.snapshot_at(d1, source), atlas.snapshot_at(d2, source)
    z1, z2 = atlas.zones_at(d1, source), atlas.zones_at(d2, source)
    h1, h2 = analysis.status_union(z1, model.HELD), analysis.status_union(z2, model.HELD)
    c1, c2 = analysis.status_union(z1, CONTESTED), analysis.status_union(z2, CONTESTED)
    oblasts = admin1_boundaries(atlas)
    zones, slivers = pieces({"gain": shapely.difference(h2, h1), "loss": shapely.difference(h1, h2),
                             "contested_gain": shapely.difference(c2, c1),
                             "contested_loss": shapely.difference(c1, c2)}, oblasts)
    return Diff(source, t1.date(), t2.date(), t1, t2, zones, town_changes(atlas.towns, z1, z2, atlas.land),
                analysis.area_km2(h1), analysis.area_km2(h2), slivers, oblasts is not None)


# ---- two sources at one date --------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """Held ground of two sources at one date and where they disagree."""

    date: dt.date
    a: str
    b: str
    snapshot_a: pd.Timestamp
    snapshot_b: pd.Timestamp
    held_a_km2: float
    held_b_km2: float
    both_km2: float
    zones: gpd.GeoDataFrame  # change (a_only / b_only), held_by, area_km2, admin1, geometry
    slivers: dict[str, dict[str, float]]

    def figures(self) -> dict[str, float]:
        """km² held by each source, by both, by one only (slivers dropped), and the difference a − b."""
        only = _totals(self.zones, DISAGREEMENTS)
        return {"held_a": self.held_a_km2, "held_b": self.held_b_km2, "both": self.both_km2, **only,
                "difference": self.held_a_km2 - self.held_b_km2}


def compare_sources(atlas: Atlas, date: object, a: str, b: str) -> Comparison:
    """Where sources ``a`` and ``b`` disagree about held ground at ``date`` (their snapshots in force then)."""
    a, b = resolve_source(atlas, a), resolve_source(atlas, b)
    if a == b:
        raise model.DataError(f"choose two different sources to compare (got '{a}' twice)")
    first, last = atlas.dates
    day = timeline.check_date(date, first, last)
    ta, tb = _snapshot(atlas, day, a), _snapshot(atlas, day, b)
    core = atlas.cache.get(("compare", a, ta, b, tb), lambda: _compare(atlas, day, a, b))
    return dataclasses.replace(core, date=day)


def _compare(atlas: Atlas, day: dt.date, a: str, b: str) -> Comparison:
    ta, tb = atlas.snapshot_at(day, a), atlas.snapshot_at(day, b)
    ha = analysis.status_union(atlas.zones_at(day, a), model.HELD)
    hb = analysis.status_union(atlas.zones_at(day, b), model.HELD)
    zones, slivers = pieces({"a_only": shapely.difference(ha, hb), "b_only": shapely.difference(hb, ha)},
                            admin1_boundaries(atlas))
    zones.insert(1, "held_by", zones["change"].map({"a_only": a, "b_only": b}))
    return Comparison(ta.date(), a, b, ta, tb, analysis.area_km2(ha), analysis.area_km2(hb),
                      analysis.area_km2(shapely.intersection(ha, hb)), zones, slivers)


# ---- export ---------------------------------------------------------------------------------
def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in values.items()}


def to_geojson(d: Diff, atlas: Atlas) -> dict:
    """The diff as an RFC 7946 FeatureCollection: change polygons, towns that changed hands, ``metadata``."""
    zones = d.zones.assign(area_km2=d.zones["area_km2"].round(4))
    towns = d.towns.assign(change="town")[["change", *TOWN_COLUMNS, "geometry"]]
    dropped = {"count": sum(int(s["count"]) for s in d.slivers.values()),
               "area_km2": round(sum(s["area_km2"] for s in d.slivers.values()), 4),
               "by_change": {k: {"count": v["count"], "area_km2": round(v["area_km2"], 4)}
                             for k, v in d.slivers.items()},
               "rule": SLIVER_RULE}
    by_admin1 = d.by_admin1()
    meta = {
        "from": d.date_from.isoformat(),
        "to": d.date_to.isoformat(),
        "source": d.source,
        "snapshot_from": export._json_value(d.snapshot_from),
        "snapshot_to": export._json_value(d.snapshot_to),
        "totals_km2": _rounded(d.totals()),
        "by_admin1_km2": ({name: _rounded(row.to_dict()) for name, row in by_admin1.iterrows()}
                          if d.admin1_loaded else None),
        **({} if d.admin1_loaded else {"admin1_note": ADMIN1_HINT}),
        "towns_changed_hands": int(len(d.towns)),
        "slivers_dropped": dropped,
        "held": "occupied + occupied_before",
        "area_method": "WGS84 ellipsoid (Lambert azimuthal equal-area) on full-resolution geometry",
        "attribution": atlas.attribution(),
        "generator": export.generator_version(),
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "crs": "urn:ogc:def:crs:OGC:1.3:CRS84",
    }
    feats = export.features(zones, "changes") + export.features(towns, "changes")
    return {"type": "FeatureCollection", "metadata": meta, "features": feats}
