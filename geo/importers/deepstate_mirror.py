"""The daily DeepStateMap mirror (``deepstatemap_data_YYYYMMDD.geojson``, cyterat/deepstate-map-data).

Each file holds one dissolved MultiPolygon: everything DeepStateMap showed as held by the
invading force (since 2022 and before, Crimea included), with no properties. It is stored as one
``occupied`` zone.

Time: the mirror downloads the map at about 03:00 UTC on the date in the file name, so the file
shows DeepState's state after the previous evening's update. ``as_of`` is therefore the end of
the previous day (``deepstatemap_data_20250701`` -> 2025-06-30 23:59:59 UTC): on the slider the
file stands for the day it describes, the same day as that evening's history snapshot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.importers.base import FileResult, Importer, Options
from geo.importers.deepstate import ATTRIBUTION, LICENCE, URL
from geo.importers.geojson_features import OUT_OF_THEATRE, geometries, load_features, rows_frame, where, zone_parts
from geo.model import DataError, Reject

_DATE = re.compile(r"(?<!\d)(20\d{6})(?!\d)")
COLUMNS = ["source", "as_of", "status", "label", "note", "source_url"]


def mirror_time(path: Path, members: dict) -> tuple[pd.Timestamp, str]:
    """(as_of, the download date 'YYYY-MM-DD') from the file name or the collection's ``name``."""
    m = _DATE.search(path.stem) or _DATE.search(str(members.get("name") or ""))
    if not m:
        raise DataError(f"{path}: file name: expected the download date, e.g. deepstatemap_data_20250701.geojson")
    try:
        day = pd.Timestamp(m.group(1), tz="UTC")
    except ValueError:
        raise DataError(f"{path}: file name: {m.group(1)} is not a date (YYYYMMDD)") from None
    return day - pd.Timedelta(seconds=1), day.date().isoformat()


class DeepStateMirrorImporter(Importer):
    """One dissolved occupied-area MultiPolygon per day."""

    name = "deepstate-mirror"
    description = "DeepStateMap daily occupied area (cyterat/deepstate-map-data): one dissolved zone a day"
    attribution = f"{ATTRIBUTION}; daily extract by cyterat/deepstate-map-data (GPL-3.0)"
    licence = f"{LICENCE}. Mirror repository: GPL-3.0"
    patterns = ("*.geojson",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        collection = load_features(path)
        as_of, fetched = mirror_time(path, collection.members)
        result.read = len(collection.features)
        rows: dict[int, dict] = {}
        for i, geom in enumerate(geometries(path, collection.features)):
            if geom is None:
                result.rejects.append(Reject(path.name, i, "geometry", "empty or missing geometry"))
                continue
            kept, dropped = zone_parts(geom)
            if kept is None:
                result.rejects.append(Reject(path.name, i, "geometry", OUT_OF_THEATRE, where(geom)))
                continue
            note = "; ".join(x for x in (f"downloaded about 03:00 UTC {fetched}; includes territory held before "
                                         "24 Feb 2022", dropped) if x)
            rows[i] = {"source": "deepstate-mirror", "as_of": as_of, "status": "occupied",
                       "label": "occupied (dissolved)", "note": note, "source_url": URL, "geometry": kept}
        result.frames["control"] = rows_frame(rows, COLUMNS)
