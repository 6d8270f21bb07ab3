"""Bellingcat "Civilian Harm in Ukraine" incidents (a flat JSON array) -> strikes.

Each array item is one incident: ``date``, ``location``, ``description``, ``sources``,
``latitude``, ``longitude``. Items are numbered from 0 in rejects.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd

from geo.importers import events_common as ev
from geo.importers.base import FileResult, Importer, Options, read_json, reject_rows
from geo.model import DataError

FIELDS = ("date", "location", "description", "sources", "latitude", "longitude")
HIDDEN = "srcHidden"  # Bellingcat's marker for sources withheld (e.g. to protect people)
NULL_ISLAND = 1.0  # |lat| and |lon| below this: a placeholder for a hidden location, not a place


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _sources(value: object) -> list[str]:
    return [s.strip() for s in value if isinstance(s, str) and s.strip()] if isinstance(value, list) else []


def load_items(path: Path) -> list:
    """The file's JSON array; DataError when the file is not one."""
    items = read_json(path)
    if not isinstance(items, list):
        raise DataError(f"{path}: expected a JSON array of incidents, found a {type(items).__name__}")
    return items


class BellingcatImporter(Importer):
    name = "bellingcat"
    description = "Bellingcat Civilian Harm in Ukraine incidents (TimeMap export)"
    attribution = "Bellingcat, Civilian Harm in Ukraine"
    licence = "data © Bellingcat; no licence stated (check terms before publishing)"
    patterns: ClassVar[tuple[str, ...]] = ("*.json",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        items = load_items(path)
        result.read = len(items)
        rows = [item if isinstance(item, dict) else {} for item in items]
        df = pd.DataFrame({f: [r.get(f) for r in rows] for f in FIELDS}, index=pd.RangeIndex(len(rows)))
        df = reject_rows(result, df, pd.Series([not isinstance(i, dict) for i in items], index=df.index), "item",
                         "not a JSON object", pd.Series([str(i)[:80] for i in items], index=df.index))
        date = df["date"].map(_text)
        times = pd.to_datetime(date, format="%Y-%m-%d", utc=True, errors="coerce")
        df = reject_rows(result, df.assign(time=times), times.isna(), "date", "unparseable or missing date", date)
        location, description = df["location"].map(_text), df["description"].map(_text)
        urls = df["sources"].map(_sources)
        lon = pd.to_numeric(df["longitude"], errors="coerce")
        lat = pd.to_numeric(df["latitude"], errors="coerce")
        content = ev.row_text(df["date"], location, description, lat.loc[df.index], lon.loc[df.index])
        df = ev.assign_ids(result, df, "bellingcat:" + content.map(ev.digest), content)
        df = df.assign(admin1=location.loc[df.index].map(ev.admin1_in_text))
        null_island = (lat.abs() < NULL_ISLAND) & (lon.abs() < NULL_ISLAND)
        points = ev.place_points(result, df, df["longitude"], df["latitude"], "exact",
                                 missing=null_island.loc[df.index], place=location.loc[df.index])
        keep = points.index
        casualties = ev.casualty_columns(description.loc[keep])
        first = urls.loc[keep].map(lambda u: next((s for s in u if s != HIDDEN), None))
        out = points.assign(
            time_precision="day", kind=ev.classify_kinds(description.loc[keep], "other"),
            place=location.loc[keep], killed=casualties["killed"], injured=casualties["injured"],
            description=description.loc[keep], source=self.name, source_url=first,
            source_urls=urls.loc[keep].map(" ".join),
        )
        result.frames["strikes"] = ev.strikes_frame(out, extra=("source_urls",))
