"""The store: merge import results into a data directory (GeoParquet + atlas.json + rejects.csv).

Rows carry ``import_file`` (the input file's name) and ``importer``. Importing a file
replaces every row that earlier imports of a file of that name by that importer stored, so
importing the same file twice adds nothing and re-importing a corrected file replaces its
rows. Every file is written to a temp file and renamed, so readers never see half a store.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import model
from geo.atlas import MANIFEST, ROW_GROUP, atomic_write, read_parquet
from geo.importers.base import FileResult, Importer, file_key

REJECTS = "rejects.csv"


def _read_table(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    return read_parquet(path)


def _replace(old: pd.DataFrame | None, new: pd.DataFrame, keys: set[tuple[str, str]]) -> pd.DataFrame:
    """``old`` without rows of the re-imported (importer, file) pairs, plus ``new``."""
    if old is None or old.empty:
        return new
    drop = pd.Series([(i, f) in keys for i, f in zip(old["importer"], old["import_file"], strict=True)],
                     index=old.index)
    kept = old[~drop]
    out = pd.concat([kept, new], ignore_index=True) if len(new) else kept.reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=model.CRS) if "geometry" in out.columns else out


def _date_range(frames: dict[str, pd.DataFrame]) -> list[str] | None:
    times = [f[c] for f in frames.values() for c in ("as_of", "time") if c in f.columns and len(f)]
    if not times:
        return None
    s = pd.concat(times).dropna()
    return [s.min().date().isoformat(), s.max().date().isoformat()] if len(s) else None


def merge(into: Path, importer: Importer, results: list[FileResult]) -> dict:
    """Merge ``results`` into the store at ``into``; returns the updated manifest."""
    into.mkdir(parents=True, exist_ok=True)
    keys = {(importer.name, file_key(r.file)) for r in results}
    names = {n for r in results for n in r.frames} | set(model.LAYERS)
    for name in sorted(names):
        path = into / f"{name}.parquet"
        parts = [r.frames[name] for r in results if name in r.frames and len(r.frames[name])]
        new = pd.concat(parts, ignore_index=True) if parts else (
            model.empty(name).assign(import_file=pd.Series(dtype=str), importer=pd.Series(dtype=str))
            if name in model.LAYERS else pd.DataFrame())
        if isinstance(new, pd.DataFrame) and "geometry" in new.columns and not isinstance(new, gpd.GeoDataFrame):
            new = gpd.GeoDataFrame(new, geometry="geometry", crs=model.CRS)
        table = _replace(_read_table(path), new, keys)
        if name == "control" and table is not None and len(table):
            table = table.sort_values(["source", "as_of"], kind="stable")  # one snapshot = one contiguous range
        if table is not None and (len(table) or name in model.LAYERS):
            size = ROW_GROUP.get(name, 65536)
            atomic_write(path, lambda p, t=table, n=size: t.to_parquet(p, index=False, row_group_size=n))
    rejects = pd.concat(
        [model.rejects_frame(r.rejects).assign(importer=importer.name, import_file=file_key(r.file)) for r in results]
        or [model.rejects_frame([]).assign(importer="", import_file="")], ignore_index=True)
    old = pd.read_csv(into / REJECTS, dtype=str, keep_default_na=False) if (into / REJECTS).exists() else None
    if old is not None and len(old):
        old = old[[(i, f) not in keys for i, f in zip(old["importer"], old["import_file"], strict=True)]]
        rejects = pd.concat([old, rejects.astype(str)], ignore_index=True)
    atomic_write(into / REJECTS, lambda p: rejects.to_csv(p, index=False))
    manifest = json.loads((into / MANIFEST).read_text("utf-8")) if (into / MANIFEST).exists() else {}
    manifest.setdefault("name", f"frontline store {into.name}")
    manifest.setdefault("attribution", {})
    manifest.setdefault("sources", {})
    manifest.setdefault("files", {})
    manifest["sources"][importer.name] = {"description": importer.description,
                                          "attribution": importer.attribution, "licence": importer.licence}
    for r in results:
        source_values = {str(v) for f in r.frames.values() if "source" in f.columns for v in f["source"].unique()}
        for value in source_values | {importer.name}:
            manifest["attribution"][value] = importer.attribution
        manifest["files"][f"{importer.name}:{file_key(r.file)}"] = {
            "importer": importer.name, "path": r.file, "sha256": r.sha256, "read": r.read,
            "stored": {k: int(len(v)) for k, v in r.frames.items()}, "rejected": len(r.rejects),
            "dates": _date_range(r.frames),
            "imported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    atomic_write(into / MANIFEST, lambda p: Path(p).write_text(text, "utf-8"))
    return manifest
