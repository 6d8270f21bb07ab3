"""UCDP Georeferenced Event Dataset (GED) rows for Ukraine -> strikes.

The file is cp1252 (``Ukraine’s`` is byte 0x92): ``read_csv`` tries UTF-8 first and falls
back to cp1252, so a UTF-8 re-save reads the same. Dates went through a spreadsheet and mix
``MM/DD/YYYY HH:MM`` and ``M/D/YYYY h:mm:ss AM``; both are month-first.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd

from geo.importers import events_common as ev
from geo.importers.base import FileResult, Importer, Options, read_csv, reject_rows, require_columns

COLUMNS = ("id", "year", "type_of_violence", "dyad_name", "source_headline", "where_prec", "where_coordinates",
           "where_description", "adm_1", "latitude", "longitude", "date_start", "date_end", "deaths_civilians",
           "best", "high", "low")
DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
# UCDP where_prec -> location_precision; 6 (country) and 7 (international waters/airspace) carry
# no usable point: they fall back to the adm_1 centre, or are rejected without one.
WHERE_PREC = {"1": "exact", "2": "town", "3": "town", "4": "admin1", "5": "admin1"}
NO_POINT = ("6", "7")
# type_of_violence -> kind when the headline names no weapon: 1 state-based, 2 non-state (fighting), 3 one-sided.
VIOLENCE_KIND = {"1": "ground", "2": "ground", "3": "other"}


def parse_dates(text: pd.Series) -> pd.Series:
    """UTC dates from UCDP's mixed spreadsheet formats (month first), NaT where none fits."""
    text = text.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    for fmt in DATE_FORMATS:
        todo = out.isna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, utc=True, errors="coerce")
    return out


class UCDPImporter(Importer):
    name = "ucdp"
    description = "UCDP Georeferenced Event Dataset (GED), Ukraine: organised violence with at least one death"
    attribution = "UCDP GED (Sundberg & Melander 2013; Davies et al.), CC BY 4.0"
    licence = "CC BY 4.0"
    patterns: ClassVar[tuple[str, ...]] = ("*.csv",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        df = read_csv(path)
        result.read = len(df)
        require_columns(df, COLUMNS, path, "UCDP GED")
        start, end = parse_dates(df["date_start"]), parse_dates(df["date_end"])
        df = reject_rows(result, df.assign(time=start, time_end=end), start.isna(), "date_start",
                         "unparseable or missing date", df["date_start"])
        df = reject_rows(result, df, (df["time"].dt.year.astype(str) != df["year"].str.strip()), "date_start",
                         "date disagrees with the year column (day/month swapped?)", df["date_start"])
        df = reject_rows(result, df, df["time_end"].notna() & (df["time_end"] < df["time"]), "date_end",
                         "ends before it starts", df["date_end"])
        for col in ("best", "low", "high", "deaths_civilians"):
            df = ev.to_count(result, df, col)
        content = ev.row_text(*(df[c] for c in COLUMNS))
        df = ev.assign_ids(result, df, "ucdp:" + df["id"].str.strip(), content)
        df = df.assign(admin1=df["adm_1"].map(ev.resolve_admin1))
        prec = df["where_prec"].str.strip()
        points = ev.place_points(result, df, df["longitude"], df["latitude"], prec.map(WHERE_PREC).fillna("admin1"),
                                 missing=prec.isin(NO_POINT), place=df["where_coordinates"])
        headline = points["source_headline"].str.strip()
        text = headline + " " + points["where_description"]
        fallback = points["type_of_violence"].str.strip().map(VIOLENCE_KIND).fillna("other")
        out = points.assign(
            time_precision="day", kind=ev.classify_kinds(text, fallback), place=points["where_coordinates"].str.strip(),
            killed=points["best"], description=points["dyad_name"].str.strip() + ": " + headline, source=self.name,
            killed_low=points["low"], killed_high=points["high"], killed_civilians=points["deaths_civilians"],
            dyad=points["dyad_name"].str.strip(),
        )
        result.frames["strikes"] = ev.strikes_frame(
            out, extra=("time_end", "killed_low", "killed_high", "killed_civilians", "dyad"))
