"""A per-session overlay: the shared base Atlas plus a user's uploaded frames, as a new Atlas.

The base Atlas is loaded once per server and shared by every session, so it is never
changed: the overlay concatenates the uploaded canonical frames onto copies of the base
frames and returns a new Atlas with its own (empty) cache. Uploaded rows keep their own
``source``, so uploaded control zones appear as a source of their own.
"""

from __future__ import annotations

import copy

import geopandas as gpd
import pandas as pd

from geo import model
from geo.atlas import Atlas
from geo.importers.base import FileResult

UPLOAD_COLUMNS = ("import_file", "importer")  # provenance columns kept from uploaded rows


def _stack(base: gpd.GeoDataFrame, upload: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """``base`` then ``upload`` (the base's columns plus provenance) as a new frame."""
    if upload is None or not len(upload):
        return base.copy()
    cols = list(base.columns) + [c for c in UPLOAD_COLUMNS if c in upload.columns and c not in base.columns]
    added = upload.reindex(columns=cols)
    out = pd.concat([base, added], ignore_index=True) if len(base) else added.reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=model.CRS)


def with_upload(base: Atlas, result: FileResult) -> Atlas:
    """A new Atlas: ``base`` plus the canonical frames of ``result``; ``base`` is left unchanged."""
    frames = {name: _stack(base.layer(name), result.frames.get(name)) for name in model.LAYERS}
    manifest = copy.deepcopy(base.manifest)
    attribution = manifest.get("attribution")
    if attribution:  # with no notes at all, Atlas.attribution() lists every source name already
        for frame in (result.frames.get(name) for name in model.LAYERS):
            if frame is not None and "source" in frame.columns:
                for value in frame["source"].dropna().unique():
                    attribution.setdefault(str(value), f"{value} (uploaded file, this session only)")
    return Atlas(**frames, manifest=manifest, path=base.path)
