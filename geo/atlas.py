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
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import model, timeline
from geo.display import LRU

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = "atlas.json"


@dataclass
class Atlas:
    """The control, towns and strikes layers of one data directory (read-only once loaded)."""

    control: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    strikes: gpd.GeoDataFrame
    manifest: dict = field(default_factory=dict)
    path: Path | None = None
    cache: LRU = field(default_factory=LRU, repr=False, compare=False)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """The frame of layer ``name``."""
        if name not in model.LAYERS:
            raise model.DataError(f"unknown layer '{name}'; expected one of {', '.join(model.LAYERS)}")
        return getattr(self, name)

    @cached_property
    def sources(self) -> list[str]:
        """Control sources, most snapshots first."""
        return self.control["source"].value_counts().index.tolist() if len(self.control) else []

    @cached_property
    def dates(self) -> tuple[dt.date, dt.date]:
        """First and last calendar date (UTC) of any control snapshot or strike."""
        return timeline.data_dates(self.control, self.strikes)

    def attribution(self) -> list[str]:
        """One attribution line per source present, from the manifest or the rows' ``source``."""
        notes = self.manifest.get("attribution", {})
        names = set(self.control["source"]) | set(self.towns["source"]) | set(self.strikes["source"])
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
            try:
                return gpd.read_parquet(self.path / f"{name}.parquet")
            except ValueError:  # no geometry column
                return pd.read_parquet(self.path / f"{name}.parquet")

        return self.cache.get(("table", name), load)

    def is_empty(self) -> bool:
        """True when no layer holds a row."""
        return not (len(self.control) or len(self.towns) or len(self.strikes))

    # ---- I/O -------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Atlas:
        """Load a data directory (the embedded ``data/`` when ``path`` is None)."""
        root = Path(path) if path is not None else DEFAULT_DATA
        if not root.is_dir():
            raise model.DataError(f"data directory {root} does not exist")
        manifest = json.loads((root / MANIFEST).read_text("utf-8")) if (root / MANIFEST).exists() else {}
        frames = {name: _read_layer(root, name) for name in model.LAYERS}
        atlas = cls(**frames, manifest=manifest, path=root)
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
            atomic_write(root / f"{name}.parquet", lambda p, f=self.layer(name): f.to_parquet(p, index=False))
        text = json.dumps(self.manifest, indent=2, ensure_ascii=False, default=str)
        atomic_write(root / MANIFEST, lambda p: Path(p).write_text(text, "utf-8"))


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
    if parquet.exists():
        frame, file = gpd.read_parquet(parquet), parquet
    elif geojson.exists():
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
