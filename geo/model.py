"""The canonical model: layer schemas, the status vocabulary, and one validation per layer.

Every importer and the embedded dataset end in frames of these three layers. ``normalize``
is the single boundary where CRS, dimensionality, validity, empty geometries, dtypes and
time zones are fixed; rows that cannot be fixed become :class:`Reject` records naming the
file, the row and the field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:4326"
LAYERS = ("control", "towns", "strikes")

# Control-status vocabulary shared by every source, in drawing order (bottom first).
STATUSES = (
    "occupied_before",
    "occupied",
    "contested",
    "claimed",
    "advance",
    "liberated",
    "defender_held_abroad",
)
HELD = ("occupied", "occupied_before")
STRIKE_KINDS = ("missile", "drone", "artillery", "airstrike", "glide_bomb", "ground", "other")
LOCATION_PRECISIONS = ("exact", "town", "admin1")
TIME_PRECISIONS = ("minute", "hour", "day")
TOWN_KINDS = ("capital", "oblast_centre", "city", "town", "village")
# Where a town's status cannot be derived from any zone, it is held by the defender.
FREE = "free"

# Plausible time range of the war's data; earlier or later dates are rejected.
EARLIEST = pd.Timestamp("2014-01-01", tz="UTC")
LATEST = pd.Timestamp("2100-01-01", tz="UTC")
# Largest plausible count (population, casualties); larger values, infinities included, are rejected.
MAX_COUNT = 10**10


@dataclass(frozen=True)
class Column:
    """One attribute column of a layer."""

    name: str
    kind: str  # "str", "int", "float", "time", "enum"
    required: bool = False
    choices: tuple[str, ...] = ()


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "control": (
        Column("source", "str", True),
        Column("as_of", "time", True),
        Column("status", "enum", True, STATUSES),
        Column("label", "str"),
        Column("note", "str"),
        Column("source_url", "str"),
    ),
    "towns": (
        Column("town_id", "str", True),
        Column("name", "str", True),
        Column("name_uk", "str"),
        Column("population", "int"),
        Column("admin1", "str"),
        Column("kind", "enum", False, TOWN_KINDS),
        Column("source", "str", True),
        Column("note", "str"),
    ),
    "strikes": (
        Column("event_id", "str", True),
        Column("time", "time", True),
        Column("time_precision", "enum", False, TIME_PRECISIONS),
        Column("kind", "enum", True, STRIKE_KINDS),
        Column("weapon", "str"),
        Column("target", "str"),
        Column("place", "str"),
        Column("admin1", "str"),
        Column("killed", "int"),
        Column("injured", "int"),
        Column("description", "str"),
        Column("source", "str", True),
        Column("source_url", "str"),
        Column("location_precision", "enum", False, LOCATION_PRECISIONS),
    ),
}
GEOMETRY_TYPES = {
    "control": ("Polygon", "MultiPolygon"),
    "towns": ("Point",),
    "strikes": ("Point",),
}
ID_COLUMN = {"control": None, "towns": "town_id", "strikes": "event_id"}


@dataclass(frozen=True)
class Reject:
    """One input row that was not stored, and why."""

    file: str
    row: int | str
    field: str
    reason: str
    value: str = ""

    def sentence(self) -> str:
        """The reject as one readable sentence."""
        value = f" (value: {self.value!r})" if self.value else ""
        return f"{self.file}, row {self.row}, field '{self.field}': {self.reason}{value}"


def rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    """Rejects as a table with the columns of ``rejects.csv``."""
    cols = ["file", "row", "field", "reason", "value"]
    return pd.DataFrame([asdict(r) for r in rejects], columns=cols)


class DataError(ValueError):
    """Bad input that stops an operation; the message names the file, row and field."""


def columns(layer: str) -> list[str]:
    """The attribute column names of ``layer`` in canonical order."""
    return [c.name for c in SCHEMAS[layer]]


def empty(layer: str) -> gpd.GeoDataFrame:
    """An empty, correctly typed frame of ``layer``."""
    return normalize(layer, gpd.GeoDataFrame({c: [] for c in columns(layer)}, geometry=[], crs=CRS))[0]


def parse_times(values: pd.Series) -> pd.Series:
    """Parse times to UTC; naive times are taken as UTC. Unparseable values become NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        out = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.tz_localize("UTC")
    else:
        text = values.astype("string").str.strip()
        out = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    return out.dt.as_unit("us")


def _row_label(index: object) -> int | str:
    return int(index) if isinstance(index, (int, np.integer)) else str(index)


def normalize(
    layer: str, frame: gpd.GeoDataFrame, file: str = "<memory>", index_labels: bool = False
) -> tuple[gpd.GeoDataFrame, list[Reject]]:
    """Validate ``frame`` as ``layer`` and return (clean copy, rejects).

    Rejects number rows from 1 in frame order, or, with ``index_labels``, name them by the
    frame's index (importers set it to the input row or feature number). The caller's frame
    is never modified.
    """
    if layer not in SCHEMAS:
        raise DataError(f"unknown layer '{layer}'; expected one of {', '.join(LAYERS)}")
    df = frame.copy()
    rejects: list[Reject] = []
    missing = [c.name for c in SCHEMAS[layer] if c.required and c.name not in df.columns]
    if missing:
        raise DataError(f"{file}: missing required column(s) {', '.join(missing)} for layer '{layer}'")
    if df.crs is None:
        df = df.set_crs(CRS)
    elif not df.crs.equals(CRS):
        df = df.to_crs(CRS)
    if not df.index.is_unique:
        raise DataError(f"{file}: row labels are not unique")
    index = df.index
    bad = pd.Series(False, index=df.index)

    def reject(mask: pd.Series, field: str, reason: str, values: pd.Series | None = None) -> None:
        nonlocal bad
        mask = pd.Series(mask, index=df.index).astype("boolean").fillna(False).astype(bool)
        new = mask & ~bad
        for pos in np.flatnonzero(new.to_numpy()):  # labels are computed for rejected rows only
            i = index[pos]
            value = "" if values is None else str(values.iloc[pos])[:200]
            rejects.append(Reject(file, _row_label(i) if index_labels else int(pos) + 1, field, reason, value))
        bad = bad | new

    geom = df.geometry.values
    reject(pd.Series(shapely.is_missing(geom) | shapely.is_empty(geom), df.index), "geometry",
           "empty or missing geometry")
    kinds = pd.Series(shapely.get_type_id(geom), index=df.index)
    allowed_ids = [shapely.GeometryType[t.upper()].value for t in GEOMETRY_TYPES[layer]]
    if layer == "control":
        allowed_ids.append(shapely.GeometryType.GEOMETRYCOLLECTION.value)
    reject(~kinds.isin(allowed_ids + [-1]), "geometry",
           f"geometry type must be {' or '.join(GEOMETRY_TYPES[layer])}",
           kinds.map(lambda k: shapely.GeometryType(k).name if k >= 0 else "None"))
    ok = ~bad
    geom2 = shapely.force_2d(geom[ok.values])
    coords_ok = _coords_in_range(geom2)
    reject(pd.Series(~coords_ok, index=df.index[ok.values]).reindex(df.index, fill_value=False), "geometry",
           "coordinates outside lon -180..180 / lat -90..90 or not finite (projected coordinates or swapped lon/lat?)")
    ok = ~bad
    g = shapely.force_2d(geom[ok.values])
    if layer == "control":
        g = shapely.make_valid(g)
        g = np.array([_polygonal(x) for x in g], dtype=object)
    out = np.full(len(df), None, dtype=object)
    out[ok.values] = g
    df = df.set_geometry(gpd.GeoSeries(out, index=df.index, crs=CRS))
    reject(df.geometry.isna() | df.geometry.is_empty, "geometry", "no area left after repairing the polygon")

    for col in SCHEMAS[layer]:
        if col.name not in df.columns:
            df[col.name] = pd.NA
        s = df[col.name]
        if col.kind == "time":
            parsed = parse_times(s)
            reject(parsed.isna(), col.name, "unparseable or missing date/time", s)
            reject((parsed < EARLIEST) | (parsed >= LATEST), col.name,
                   f"date outside {EARLIEST.date()}..{LATEST.date()}", s)
            df[col.name] = parsed
        elif col.kind == "int":
            num = pd.to_numeric(s, errors="coerce")
            reject(s.notna() & (s.astype("string").str.strip() != "") & num.isna(), col.name, "not a number", s)
            reject(num < 0, col.name, "negative count", s)
            reject(num > MAX_COUNT, col.name, f"implausibly large (over {MAX_COUNT:,}) or infinite", s)
            reject(num.notna() & (num % 1 != 0), col.name, "not a whole number", s)
            df[col.name] = num.where((num >= 0) & (num <= MAX_COUNT)).round().astype("Int64")
        else:
            text = s.astype("string").str.strip().replace("", pd.NA)
            if col.name == "time_precision":
                text = text.fillna("day")
            elif col.name == "location_precision":
                text = text.fillna("exact")
            if col.required:
                reject(text.isna(), col.name, "required value is missing", s)
            if col.kind == "enum":
                reject(text.notna() & ~text.isin(col.choices), col.name,
                       f"must be one of {', '.join(col.choices)}", s)
            df[col.name] = text
    idcol = ID_COLUMN[layer]
    if idcol:
        dup = df[idcol].duplicated(keep="first") & ~bad
        reject(dup, idcol, "duplicate id (first occurrence kept)", df[idcol])
    keep = [c.name for c in SCHEMAS[layer]]
    extra = [c for c in df.columns if c not in keep and c != df.geometry.name]
    clean = df.loc[~bad, keep + extra + [df.geometry.name]]
    clean = clean.rename_geometry("geometry") if clean.geometry.name != "geometry" else clean
    return gpd.GeoDataFrame(clean.reset_index(drop=True), geometry="geometry", crs=CRS), rejects


def _coords_in_range(geoms: np.ndarray) -> np.ndarray:
    """Per geometry: every coordinate finite and within lon -180..180, lat -90..90 (vectorised)."""
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    return np.bincount(owner[bad], minlength=len(geoms)) == 0


def _polygonal(g: shapely.Geometry) -> shapely.Geometry | None:
    """Keep only the polygonal parts of a (repaired) geometry."""
    if g is None:
        return None
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def validate(layer: str, frame: gpd.GeoDataFrame, file: str = "<memory>") -> list[Reject]:
    """The rejects ``normalize`` would produce for ``frame`` (empty when it is valid)."""
    return normalize(layer, frame, file)[1]
