"""``generic``: any GeoJSON, GeoPackage, zipped Shapefile, CSV (lon/lat or WKT) or KML/KMZ file.

The file feeds one canonical layer: ``options.layer`` when given, else a guess from its
geometry and columns (see :func:`guess_layer`). ``options.mapping`` ({canonical: file column})
renames file columns; columns already named canonically (in any letter case) need none.
Rows are indexed by input row/feature number so that every reject names its row: CSV data
rows from 1, GeoJSON/Shapefile/KML features from 0, GeoPackage feature ids (fid).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from geo import admin, model
from geo.importers import kml
from geo.importers.base import FileResult, Importer, Options, expect, read_csv, read_text, reject_rows
from geo.importers.safe_files import MAX_ROWS, check_archive, check_rows, check_vertices, safe_extract
from geo.model import DataError

READERS = {".geojson": "json", ".json": "json", ".gpkg": "gpkg", ".zip": "zip", ".csv": "csv",
           ".kml": "kml", ".kmz": "kmz", ".shp": "shp"}
IN_ZIP = (".shp", ".geojson", ".json", ".gpkg", ".csv", ".kml")  # datasets looked for inside a .zip
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
XY_PAIRS = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"), ("long", "lat"), ("x", "y"))
WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom")
COORD_TARGETS = ("lon", "lat", "wkt")
ENUMS = {"status", "kind", "time_precision", "location_precision"}
TIMEISH = re.compile(r"time|date|when|^day$|^begin$|^as_of$")
OGR_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
              pyogrio.errors.GeometryError, pyogrio.errors.FeatureError, pyogrio.errors.CRSError)


class GenericImporter(Importer):
    """Reads one file of a common GIS format into the layer it feeds."""

    name = "generic"
    description = "Any GeoJSON, GeoPackage, zipped Shapefile, CSV (lon/lat or WKT) or KML/KMZ file"
    attribution = "User-supplied data"
    licence = "as supplied by the user"
    patterns = tuple(f"*{ext}" for ext in READERS)

    def __init__(self, label: str | None = None) -> None:
        """``label`` replaces the file stem as default source and id prefix (the app's upload name)."""
        self.label = label

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        table, problems = load(path, options.layer)
        result.read = len(table)
        check_rows(path.name, len(table))
        table = apply_mapping(table, options.mapping, path.name)
        xy_field = "geometry"
        if not isinstance(table, gpd.GeoDataFrame):
            table, more, xy_field = points_from_columns(table, path.name)
            problems += more
        check_vertices(path.name, table.geometry.values)
        layer = options.layer or guess_layer(table, path.name)
        check_targets(options.mapping, layer, path.name)
        table = reject_problems(result, table, problems)
        flip = swapped(table)
        if flip.any():
            table = reject_rows(result, table, flip, xy_field, "lon/lat swapped?", _first_xy(table))
        result.frames[layer] = complete(table, layer, path, options.source or self.label or path.stem)


def reject_problems(result: FileResult, table: gpd.GeoDataFrame, problems: list[Problem]) -> gpd.GeoDataFrame:
    """Move the rows with read problems into the rejects (each row once, its first problem)."""
    first: dict[object, Problem] = {}
    for p in problems:
        first.setdefault(p[0], p)
    groups: dict[tuple[str, str], dict[object, str]] = {}
    for label, field, reason, value in first.values():
        groups.setdefault((field, reason), {})[label] = value
    for (field, reason), rows in groups.items():
        mask = pd.Series(table.index.isin(list(rows)), index=table.index)
        table = reject_rows(result, table, mask, field, reason, pd.Series(rows, dtype=object).reindex(table.index))
    return table


# ---- loading ---------------------------------------------------------------------------
Problem = tuple[object, str, str, str]  # (row label, field, reason, value)
# dates stay text; arrays become text (GDAL's typed lists, e.g. of booleans, crash pyogrio's reader)
JSON_OPTIONS = {"DATE_AS_STRING": "YES", "ARRAY_AS_STRING": "YES"}


def load(path: Path, layer: str | None = None, nested: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """The file as a (Geo)DataFrame indexed by row number, plus per-row read problems."""
    kind = READERS.get(path.suffix.lower())
    if kind is None or (nested and kind in ("zip", "kmz")):
        raise DataError(f"{path.name}: unsupported file type '{path.suffix}'; generic reads "
                        f"{', '.join(READERS)} (a .zip holds one Shapefile, GeoJSON, GeoPackage, CSV or KML)")
    if kind == "csv":
        return read_csv(path), []
    if kind == "kml":
        expect(path, "xml")
        frame, problems = kml.read_kml(path, path.name)
        return frame, [(i, "geometry", p, "") for i, p in problems.items()]
    if kind == "kmz":
        expect(path, "zip")
        frame, problems = kml.read_kmz(path)
        return frame, [(i, "geometry", p, "") for i, p in problems.items()]
    if kind == "zip":
        expect(path, "zip")
        return _load_zip(path, layer)
    if kind == "json":
        expect(path, "json")
        read_text(path, ("utf-8-sig",))  # RFC 7946: UTF-8; DataError naming the line otherwise
    elif kind == "gpkg":
        expect(path, "sqlite/geopackage")
    elif path.open("rb").read(4) != b"\x00\x00\x27\x0a":
        raise DataError(f"{path.name}: content is not a Shapefile (.shp) as its extension says")
    return _read_ogr(path, layer, fid=kind == "gpkg", **(JSON_OPTIONS if kind == "json" else {})), []


def _read_ogr(path: Path, layer: str | None, fid: bool, **open_options: str) -> gpd.GeoDataFrame:
    """A GDAL-readable file (one layer; the one named ``layer`` when there are several); dates stay text."""
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        chosen = names[0] if len(names) == 1 else (layer if layer in names else None)
        if chosen is None:
            raise DataError(f"{path.name}: holds {len(names)} layers ({', '.join(names[:10])}); keep one per file, "
                            "or name one control, towns or strikes and pass --layer")
        frame = pyogrio.read_dataframe(path, layer=chosen, datetime_as_string=True, max_features=MAX_ROWS + 1,
                                       fid_as_index=fid, on_invalid="ignore", **open_options)
    except (*OGR_ERRORS, ValueError) as exc:
        raise DataError(f"{path.name}: not readable as {path.suffix} ({str(exc).splitlines()[0][:200]})") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise DataError(f"{path.name}: holds no geometry column")
    return frame


def _load_zip(path: Path, layer: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    """The one dataset inside a zip, extracted (checked) into a temporary folder and read there."""
    datasets = [i.filename for i in check_archive(path) if i.filename.lower().endswith(IN_ZIP)
                and not Path(i.filename).name.startswith(("._", "."))]
    shapefiles = [d for d in datasets if d.lower().endswith(".shp")]
    if len(shapefiles) == 1:  # a zipped Shapefile may carry other files (metadata, a readme CSV)
        datasets = shapefiles
    if len(datasets) > 1 and layer:
        datasets = [d for d in datasets if Path(d).stem.lower() == layer] or datasets
    if len(datasets) != 1:
        found = ", ".join(datasets[:10]) or "none"
        raise DataError(f"{path.name}: a zip must hold exactly one dataset ({', '.join(IN_ZIP)}); found {found}")
    member = Path(datasets[0])
    wanted = SHAPEFILE_PARTS if member.suffix.lower() == ".shp" else (member.suffix.lower(),)
    with tempfile.TemporaryDirectory(prefix="frontline-zip-") as tmp:
        safe_extract(path, Path(tmp), suffixes=wanted)
        inner = Path(tmp) / datasets[0].replace("\\", "/")
        try:
            return load(inner, layer, nested=True)
        except DataError as exc:  # name the entry inside the zip, not the temporary folder
            message = str(exc).replace(str(inner), f"{path.name}:{datasets[0]}")
            raise DataError(message if path.name in message else f"{path.name}: {message}") from None


def points_from_columns(table: pd.DataFrame, file: str) -> tuple[gpd.GeoDataFrame, list[Problem], str]:
    """Point (or WKT) geometry from lon/lat-like or WKT columns; returns (frame, problems, field)."""
    lower = {c.lower(): c for c in table.columns}
    pair = next(((lower[x], lower[y]) for x, y in XY_PAIRS if x in lower and y in lower), None)
    problems: list[Problem] = []
    if pair:
        xcol, ycol = pair
        text = table[[xcol, ycol]].apply(lambda s: s.astype("string").str.strip().str.replace(",", "."))
        num = text.apply(pd.to_numeric, errors="coerce")
        blank = text.isna() | (text == "")
        for col in (xcol, ycol):
            bad = ~blank[col] & num[col].isna()
            problems += [(i, col, "not a number", str(table.at[i, col])) for i in table.index[bad.to_numpy()]]
            half = blank[col] & ~blank[xcol if col == ycol else ycol]
            problems += [(i, col, "missing coordinate", "") for i in table.index[half.to_numpy()]]
        geometry = gpd.points_from_xy(num[xcol].fillna(np.nan), num[ycol].fillna(np.nan))
        geometry[(num[xcol].isna() | num[ycol].isna()).to_numpy()] = None
        return gpd.GeoDataFrame(table.drop(columns=[xcol, ycol]), geometry=geometry, crs=model.CRS), problems, \
            f"{xcol}/{ycol}"
    wkt = next((lower[c] for c in WKT_COLUMNS if c in lower), None)
    if wkt is None:
        raise DataError(f"{file}: no coordinates: expected lon/lat (or longitude/latitude, x/y) columns or a WKT "
                        "column (wkt, geometry); map yours with --map lon=COLUMN,lat=COLUMN or --map wkt=COLUMN")
    text = table[wkt].astype("string").str.strip().fillna("")
    geometry = shapely.from_wkt(text.replace("", None).to_numpy(dtype=object, na_value=None), on_invalid="ignore")
    bad = (text != "").to_numpy() & shapely.is_missing(geometry)
    problems += [(i, wkt, "unreadable WKT", str(table.at[i, wkt])) for i in table.index[bad]]
    return gpd.GeoDataFrame(table.drop(columns=[wkt]), geometry=geometry, crs=model.CRS), problems, wkt


# ---- columns ---------------------------------------------------------------------------
def _all_columns() -> set[str]:
    return {c for layer in model.LAYERS for c in model.columns(layer)}


def _find_column(table: pd.DataFrame, name: str) -> str | None:
    """The column called ``name`` (exactly, else ignoring case), or None."""
    if name in table.columns:
        return name
    return next((c for c in table.columns if str(c).lower() == name.lower()), None)


def apply_mapping(table: pd.DataFrame, mapping: dict[str, str], file: str) -> pd.DataFrame:
    """Rename ``mapping``'s file columns to their canonical names, then canonical names in any case."""
    known = _all_columns() | set(COORD_TARGETS)
    for target, column in mapping.items():
        if target not in known:
            raise DataError(f"{file}: --map target '{target}' is not a canonical column; known targets: "
                            f"{', '.join(sorted(known))}")
        if _find_column(table, column) is None:
            raise DataError(f"{file}: --map {target}={column}: the file has no column '{column}' (its columns: "
                            f"{', '.join(map(str, table.columns[:30]))})")
    geometry = table.geometry.name if isinstance(table, gpd.GeoDataFrame) else None
    renames = {_find_column(table, column): target for target, column in mapping.items()}
    drop = [c for c in table.columns if c in renames.values() and c not in renames and c != geometry]
    out = table.drop(columns=drop).rename(columns=renames)
    present = set(out.columns)
    canonical = known - set(COORD_TARGETS)  # coordinate columns keep their names, so rejects quote them
    case = {c: str(c).strip().lower() for c in out.columns if c != geometry and str(c).strip().lower() in canonical
            and str(c).strip().lower() not in present}
    case = {c: t for c, t in case.items() if list(case.values()).count(t) == 1}
    return out.rename(columns=case)


def check_targets(mapping: dict[str, str], layer: str, file: str) -> None:
    """DataError when a mapping target is not a column of ``layer``."""
    allowed = set(model.columns(layer)) | set(COORD_TARGETS)
    for target in mapping:
        if target not in allowed:
            raise DataError(f"{file}: --map target '{target}' is not a column of layer '{layer}' (its columns: "
                            f"{', '.join(model.columns(layer))})")


def guess_layer(frame: gpd.GeoDataFrame, file: str) -> str:
    """The layer a file feeds, from its geometry and columns; DataError asking for --layer when unsure.

    Polygons -> control. Points with a time/date-ish column -> strikes, unless the file also has
    ``town_id`` or ``population`` -> towns. Points with ``population`` or ``name`` -> towns.
    """
    geom = frame.geometry.values
    kinds = set(frame.geometry[~(shapely.is_missing(geom) | shapely.is_empty(geom))].geom_type)
    cols = {str(c).lower() for c in frame.columns if c != frame.geometry.name}
    if kinds and kinds <= {"Polygon", "MultiPolygon"}:
        return "control"
    if kinds <= {"Point"}:
        timeish = [c for c in cols if TIMEISH.search(c)]
        if timeish and not cols & {"town_id", "population"}:
            return "strikes"
        if cols & {"population", "name", "town_id"}:
            return "towns"
    shown = ", ".join(sorted(kinds)) or "none"
    raise DataError(f"{file}: cannot tell which layer this file feeds (geometry: {shown}; columns: "
                    f"{', '.join(sorted(cols)[:15])}); pass --layer control, towns or strikes")


def complete(table: gpd.GeoDataFrame, layer: str, path: Path, label: str) -> gpd.GeoDataFrame:
    """Fill the defaults (source, ids, admin-1 points), tidy enum values, check required columns."""
    out = table.copy()
    if "source" not in out.columns:
        out["source"] = label
    else:
        text = out["source"].astype("string").str.strip()
        out["source"] = text.mask(text.isna() | (text == ""), label)
    idcol = model.ID_COLUMN[layer]
    if idcol and idcol not in out.columns:
        out[idcol] = [f"{label}:{i}" for i in out.index]
    missing = [c.name for c in model.SCHEMAS[layer] if c.required and c.name not in out.columns]
    if missing:
        timeish = [str(c) for c in out.columns if TIMEISH.search(str(c).lower()) and c != out.geometry.name]
        hint = f" (date/time-like columns in the file: {', '.join(timeish)})" if timeish and {
            "time", "as_of"} & set(missing) else ""
        raise DataError(f"{path.name}: layer '{layer}' needs column(s) {', '.join(missing)}, which the file lacks"
                        f"{hint}; map yours with --map {missing[0]}=COLUMN")
    for col in ENUMS | ({"kind"} if layer == "towns" else set()):
        if col in out.columns:
            out[col] = out[col].astype("string").str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    if layer == "strikes" and "time_precision" not in out.columns:
        clock = out["time"].astype("string").str.contains(r"\d[T ]\d{1,2}:\d\d", regex=True)
        out["time_precision"] = clock.map({True: "minute", False: "day"}).astype("string")
    if layer != "control" and "admin1" in out.columns:
        out = _admin1_points(out)
    return out


def _admin1_points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows without coordinates but with a known admin-1 get its centre, marked ``location_precision='admin1'``."""
    geom = frame.geometry.values
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    points = [admin.admin1_point(v) if e else None for v, e in zip(frame["admin1"], empty, strict=True)]
    fill = np.array([p is not None for p in points])
    if not fill.any():
        return frame
    out = frame.copy()
    new = np.array(geom, dtype=object)
    new[fill] = [shapely.Point(p) for p in points if p is not None]
    out = out.set_geometry(gpd.GeoSeries(new, index=out.index, crs=frame.crs))
    precision = out["location_precision"] if "location_precision" in out.columns else pd.Series(pd.NA, index=out.index)
    out["location_precision"] = precision.astype("string").mask(fill, "admin1")
    return out


# ---- coordinate sanity -----------------------------------------------------------------
def swapped(frame: gpd.GeoDataFrame) -> pd.Series:
    """Rows to reject as lon/lat swapped: only when EVERY located row lies in the theatre box with axes swapped."""
    lon0, lat0, lon1, lat1 = admin.THEATRE.BBOX
    geom = frame.geometry.values
    located = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    if frame.crs is not None and not frame.crs.equals(model.CRS):
        return pd.Series(False, index=frame.index)
    b = shapely.bounds(geom)
    with np.errstate(invalid="ignore"):
        inside = (b[:, 0] >= lat0) & (b[:, 2] <= lat1) & (b[:, 1] >= lon0) & (b[:, 3] <= lon1)
    hit = located & inside
    return pd.Series(hit if located.any() and (hit == located).all() else np.zeros(len(frame), bool),
                     index=frame.index)


def _first_xy(frame: gpd.GeoDataFrame) -> pd.Series:
    def fmt(g: shapely.Geometry | None) -> str:
        if g is None or g.is_empty:
            return ""
        x, y = shapely.get_coordinates(g)[0]
        return f"lon={x:g}, lat={y:g}"
    return pd.Series([fmt(g) for g in frame.geometry.values], index=frame.index)
