"""Centre for Information Resilience "Eyes on Russia" events (``events.csv``) -> strikes.

One strike row per CSV row: the geolocated OSINT events of the CIR/Bellingcat Russia-Ukraine
monitor map. Events that are not attacks (troop presence, mass graves, arrests) are kept
as kind ``other`` with their category in ``category``, so the map can filter them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pandas as pd

from geo.importers import events_common as ev
from geo.importers.base import FileResult, Importer, Options, read_csv, reject_rows, require_columns

COLUMNS = ("entry", "date", "event_group", "title", "brief description", "lat", "lon", "country", "province",
           "district", "town/city", "arms/munition", "link", "geolocation")
# event_group (month suffix removed) -> kind when the text names no weapon; any other category: 'other'.
CATEGORY_KIND: dict[str, str] = {"Ground Battle": "ground"}
# Categories that record no attack: always 'other', whatever weapons the text mentions.
NOT_ATTACKS = ("Russian Military Presence", "Russian Allies Presence/Losses", "Mass grave or Burial",
               "Detentions or Arrests")
UKRAINE = {"ukraine", "ukrain", "crimea", ""}
_MONTH_SUFFIX = re.compile(r"\s+(?:(?:January|February|March|April|May|June|July|August|Sep\w*|Oct\w*|Nov\w*|"
                           r"Dec\w*)\s+\d{4}|Feb - June|July - Now)\s*$")
_TITLE_DATE = re.compile(r"^\s*(\d{2})/(\d{2})/(\d{4})")


def category(event_group: pd.Series) -> pd.Series:
    """``event_group`` without its month suffix ('Civilian Casualty', 'Bombing or Explosion')."""
    return event_group.str.replace(_MONTH_SUFFIX, "", regex=True).str.strip()


def event_dates(date: pd.Series, title: pd.Series) -> pd.Series:
    """UTC dates from ``date`` (ISO), or from the ``DD/MM/YYYY`` that starts the title when it is empty."""
    day_month_year = title.str.extract(_TITLE_DATE)
    from_title = day_month_year[2] + "-" + day_month_year[1] + "-" + day_month_year[0]
    text = date.str.strip().where(date.str.strip() != "", from_title)
    return pd.to_datetime(text, format="%Y-%m-%d", utc=True, errors="coerce")


class CIRImporter(Importer):
    name = "cir"
    description = "Centre for Information Resilience 'Eyes on Russia' geolocated events (2022)"
    attribution = "Centre for Information Resilience, Eyes on Russia"
    licence = "data © Centre for Information Resilience; no licence stated (check terms before publishing)"
    patterns: ClassVar[tuple[str, ...]] = ("*.csv",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        df = read_csv(path)
        result.read = len(df)
        require_columns(df, COLUMNS, path, "CIR events")
        df = df.assign(category=category(df["event_group"]))
        times = event_dates(df["date"], df["title"])
        df = reject_rows(result, df.assign(time=times), times.isna(), "date",
                         "unparseable or missing date (and no DD/MM/YYYY date in the title)",
                         df["date"].where(df["date"] != "", df["title"].str[:40]))
        content = ev.row_text(*(df[c] for c in COLUMNS))
        entry = df["entry"].str.strip()
        base = ("cir:" + entry).where(entry != "", "cir:" + content.map(ev.digest))
        df = ev.assign_ids(result, df, base, content)
        in_ukraine = df["country"].str.strip().str.lower().isin(UKRAINE)
        admin1 = df["province"].map(ev.resolve_admin1).where(in_ukraine, None)
        df = df.assign(admin1=admin1)
        points = ev.place_points(result, df, df["lon"], df["lat"], "exact", lon_field="lon", place=df["province"])
        title = points["title"].str.replace(_TITLE_DATE, "", regex=True).str.strip()
        text = title + " " + points["brief description"] + " " + points["arms/munition"]
        fallback = points["category"].map(CATEGORY_KIND).fillna("other")
        kind = ev.classify_kinds(text, fallback).where(~points["category"].isin(NOT_ATTACKS), "other")
        casualties = ev.casualty_columns(title + ". " + points["brief description"])
        weapon = points["arms/munition"].str.strip()
        link = points["link"].str.strip()
        place = points["town/city"].str.strip()
        description = points["brief description"].str.strip()
        description = description.where(description != "", title)
        out = points.assign(
            time_precision="day", kind=kind, weapon=weapon.where(~weapon.str.startswith("http"), ""),
            place=place.where(place != "", points["district"].str.strip()),
            killed=casualties["killed"], injured=casualties["injured"],
            description=description.str.strip(), source=self.name,
            source_url=link.where(link.str.startswith("http"), points["geolocation"].str.strip()),
        )
        result.frames["strikes"] = ev.strikes_frame(out, extra=("category",))
