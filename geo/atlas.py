"""Atlas: the three canonical layers of one data directory, loaded and saved.

A data directory holds, per layer, either a GeoParquet file (``control.parquet``; what the
importers write) or a readable source (``control.geojson``, ``towns.csv``, ``strikes.csv``
with ``lon``/``lat`` columns; what the embedded dataset uses), plus an optional manifest
``atlas.json`` with the sources' attribution. Missing layers load as empty frames.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import analysis, model, timeline
from geo.display import LRU

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = "atlas.json"
# Rows per parquet row group: small for control zones (a snapshot's geometry is read by row group).
ROW_GROUP = {"control": 128, "towns": 65536, "strikes": 65536}


class Atlas:
    """The control, towns and strikes layers of one data directory (read-only once loaded).

    Control zones from a GeoParquet store are loaded lazily: start-up reads only their
    attributes (``control_index``); ``zones_at`` reads the geometry of one snapshot when it
    is first shown, and ``control`` loads every snapshot only when a batch job asks for it.
    """

    def __init__(
        self,
        control: gpd.GeoDataFrame | None = None,
        towns: gpd.GeoDataFrame | None = None,
        strikes: gpd.GeoDataFrame | None = None,
        manifest: dict | None = None,
        path: Path | None = None,
        control_file: Path | None = None,
    ) -> None:
        if control is None and control_file is None:
            control = model.empty("control")
        self._control = control
        self._control_file = control_file
        self.towns = towns if towns is not None else model.empty("towns")
        self.strikes = strikes if strikes is not None else model.empty("strikes")
        if not self.strikes["time"].is_monotonic_increasing:  # time order: a window is two binary searches
            self.strikes = self.strikes.sort_values("time", kind="stable")
        self.manifest = manifest or {}
        self.path = path
        self.cache = LRU()
        self._read_lock = threading.Lock()

    def __repr__(self) -> str:
        snapshots = self.control_index[["source", "as_of"]].drop_duplicates().shape[0]
        return f"Atlas(path={self.path}, snapshots={snapshots})"

    @property
    def control(self) -> gpd.GeoDataFrame:
        """Every control zone of every snapshot (loads the whole store on first use)."""
        if self._control is None:
            self._control = read_parquet(self._control_file)
        return self._control

    @cached_property
    def control_index(self) -> pd.DataFrame:
        """Control zones' attributes without geometry (cheap: no geometry is parsed)."""
        if self._control is not None:
            return pd.DataFrame(self._control.drop(columns=self._control.geometry.name))
        parquet = self._control_parquet
        names = [n for n in parquet.schema_arrow.names if n != "geometry"]
        return parquet.read(columns=names).to_pandas()

    @cached_property
    def _control_parquet(self):
        """The control store, opened once and kept open: every later read sees this version of the
        file, even when an import renames a new one over it (see read_parquet)."""
        import pyarrow.parquet as pq

        return pq.ParquetFile(open(self._control_file, "rb"))  # noqa: SIM115 - lives as long as the Atlas

    @cached_property
    def _snapshot_rows(self) -> dict[tuple[str, pd.Timestamp], np.ndarray]:
        """(source, as_of) -> row positions in the control store."""
        return self.control_index.groupby(["source", "as_of"], sort=False).indices

    def _read_snapshot(self, source: str, t: pd.Timestamp) -> gpd.GeoDataFrame:
        """One snapshot's zones: the row groups holding its (contiguous) rows, not a scan of the file."""
        rows = self._snapshot_rows.get((source, t), np.array([], dtype=int))
        parquet = self._control_parquet
        if not len(rows) or rows[-1] - rows[0] + 1 != len(rows):  # not sorted: let pyarrow filter
            return gpd.read_parquet(self._control_file, filters=[("source", "==", source), ("as_of", "==", t)])
        sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
        starts = np.concatenate([[0], np.cumsum(sizes)])
        first, last = np.searchsorted(starts, rows[0], "right") - 1, np.searchsorted(starts, rows[-1], "right") - 1
        with self._read_lock:  # one open file shared by the script runs and the prefetch thread
            table = parquet.read_row_groups(list(range(first, last + 1)))
        frame = table.slice(rows[0] - starts[first], len(rows)).to_pandas()
        geometry = shapely.from_wkb(frame.pop("geometry").to_numpy())
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=model.CRS)

    def snapshots(self, source: str) -> pd.DatetimeIndex:
        """Sorted snapshot times of ``source`` (cached)."""
        return self.cache.get(("snapshots", source), lambda: timeline.snapshot_times(self.control_index, source))

    def snapshot_at(self, date: object, source: str | None) -> pd.Timestamp | None:
        """The ``as_of`` of ``source``'s snapshot in force at the end of ``date`` (None before the first)."""
        if source is None:
            return None
        times = self.snapshots(source)
        i = times.searchsorted(timeline.end_of_day(date), side="right")
        return times[i - 1] if i else None

    def zones_at(self, date: object, source: str | None) -> gpd.GeoDataFrame:
        """The zones of ``source`` in force at the end of ``date`` (cached per snapshot)."""
        t = self.snapshot_at(date, source)
        if t is None:
            return self.control_index.iloc[0:0].assign(geometry=None).pipe(gpd.GeoDataFrame, crs=model.CRS)
        if self._control is not None:
            c = self._control
            return self.cache.get(("zones", source, t), lambda: c[(c["source"] == source) & (c["as_of"] == t)])

        return self.cache.get(("zones", source, t), lambda: self._read_snapshot(source, t))

    def held_km2(self, date: object, source: str | None) -> float:
        """km² held by the invading force (``model.HELD`` zones, overlaps counted once) at the end
        of ``date`` in ``source``; cached per snapshot."""
        t = self.snapshot_at(date, source)
        if t is None:
            return 0.0
        return self.cache.get(("held-km2", source, t), lambda: analysis.area_km2(
            analysis.status_union(self.zones_at(date, source), model.HELD)))

    @cached_property
    def land(self) -> shapely.Geometry:
        """The theatre's country outline (prepared), for snapping coastal towns."""
        outline = gpd.read_file(DEFAULT_DATA / "boundaries" / "ukraine.geojson").geometry.union_all()
        shapely.prepare(outline)
        return outline

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """The frame of layer ``name``."""
        if name not in model.LAYERS:
            raise model.DataError(f"unknown layer '{name}'; expected one of {', '.join(model.LAYERS)}")
        return getattr(self, name)

    @cached_property
    def sources(self) -> list[str]:
        """Control sources, most snapshots first."""
        idx = self.control_index
        return idx["source"].value_counts().index.tolist() if len(idx) else []

    @cached_property
    def dates(self) -> tuple[dt.date, dt.date]:
        """First and last calendar date (UTC) of any control snapshot or strike."""
        return timeline.data_dates(self.control_index, self.strikes)

    def attribution(self) -> list[str]:
        """One attribution line per source present, from the manifest or the rows' ``source``."""
        notes = self.manifest.get("attribution", {})
        names = {str(v) for frame in (self.control_index, self.towns, self.strikes) for v in frame["source"].unique()}
        lines = [notes[k] for k in sorted(notes) if k in names or k == "*"]
        if lines:
            return lines
        shown = sorted(names)[:5]
        return shown + ([f"and {len(names) - 5} more sources"] if len(names) > 5 else [])

    def table(self, name: str) -> pd.DataFrame | None:
        """An extra table of the store (``markers``, ``boundaries``, ``alerts``...), or None; cached."""
        if self.path is None or not (self.path / f"{name}.parquet").exists():
            return None

        def load() -> pd.DataFrame:
            return read_parquet(self.path / f"{name}.parquet")

        return self.cache.get(("table", name), load)

    def is_empty(self) -> bool:
        """True when no layer holds a row."""
        return not (len(self.control_index) or len(self.towns) or len(self.strikes))

    # ---- I/O -------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Atlas:
        """Load a data directory (the embedded ``data/`` when ``path`` is None)."""
        root = Path(path) if path is not None else DEFAULT_DATA
        if not root.is_dir():
            raise model.DataError(f"data directory {root} does not exist")
        manifest = json.loads((root / MANIFEST).read_text("utf-8")) if (root / MANIFEST).exists() else {}
        parquet = root / "control.parquet"
        control = None if parquet.exists() else _read_layer(root, "control")
        atlas = cls(control, _read_layer(root, "towns"), _read_layer(root, "strikes"), manifest=manifest,
                    path=root, control_file=parquet if parquet.exists() else None)
        if atlas.is_empty():
            raise model.DataError(
                f"data directory {root} holds no control zones, towns or strikes "
                "(expected control.parquet/.geojson, towns.parquet/.csv or strikes.parquet/.csv)"
            )
        return atlas

    def save(self, path: str | os.PathLike) -> None:
        """Write every layer as GeoParquet plus the manifest; each file is replaced atomically."""
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        for name in model.LAYERS:
            frame = self.layer(name)
            if name == "control":  # sorted so that one snapshot is a contiguous, filterable range
                frame = frame.sort_values(["source", "as_of"], kind="stable")
            atomic_write(root / f"{name}.parquet",
                         lambda p, f=frame, n=name: f.to_parquet(p, index=False, row_group_size=ROW_GROUP[n]))
        text = json.dumps(self.manifest, indent=2, ensure_ascii=False, default=str)
        atomic_write(root / MANIFEST, lambda p: Path(p).write_text(text, "utf-8"))


def read_parquet(path: Path, **kwargs) -> pd.DataFrame:
    """A store table (a GeoDataFrame, or a DataFrame when it has no geometry) read through ONE open file.

    Given a path, pyarrow may open it more than once (footer, then pages); when an import renames
    a new version over it in between, the read mixes two files ("Page was smaller than expected").
    One open file handle keeps the version it opened, so a reader gets the old or the new table.
    """
    with open(path, "rb") as fh:
        try:
            return gpd.read_parquet(fh, **kwargs)
        except ValueError:  # no geometry column
            fh.seek(0)
            return pd.read_parquet(fh, **kwargs)


def atomic_write(target: Path, write) -> None:
    """Write through a temp file in the same folder, then rename over ``target``."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read_layer(root: Path, name: str) -> gpd.GeoDataFrame:
    """Read one layer from ``root``; raises DataError naming the file on bad rows."""
    parquet, geojson, csv = root / f"{name}.parquet", root / f"{name}.geojson", root / f"{name}.csv"
    if parquet.exists():  # written by our importers, validated at import time
        return read_parquet(parquet)
    if geojson.exists():
        frame, file = gpd.read_file(geojson), geojson
    elif csv.exists():
        frame, file = read_points_csv(csv), csv
    else:
        return model.empty(name)
    clean, rejects = model.normalize(name, frame, str(file))
    if rejects:
        raise model.DataError(rejects[0].sentence() + (f" (and {len(rejects) - 1} more)" if len(rejects) > 1 else ""))
    return clean


def read_points_csv(path: Path) -> gpd.GeoDataFrame:
    """A CSV with ``lon`` and ``lat`` columns as a point frame (EPSG:4326)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for col in ("lon", "lat"):
        if col not in df.columns:
            raise model.DataError(f"{path}: missing column '{col}'")
    xy = df[["lon", "lat"]].apply(pd.to_numeric, errors="coerce")
    geometry = gpd.points_from_xy(xy["lon"], xy["lat"])
    geometry[xy.isna().any(axis=1).to_numpy()] = None
    return gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=geometry, crs=model.CRS)
