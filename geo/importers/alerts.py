"""Air-raid alerts (Vadimkin/ukrainian-air-raid-sirens-dataset) -> the extra table ``alerts``.

Two files: ``official_data_en.csv`` (``oblast,raion,hromada,level,started_at,finished_at,source``;
oblast, raion and hromada alerts) and ``volunteer_data_en.csv`` (``region,started_at,finished_at,naive``;
oblast alerts; ``naive`` = no end message seen, so the source set the end 30 min after the start).
Times in both are UTC with ``+00:00``; any other offset is converted, a time without one is read as
UTC. Rows with an unknown oblast, unreadable times, or an end before the start are rejected. The
permanent alerts of Luhansk (since 2022-04-04) and Crimea (since 2022-12-10) are not in the files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo import admin, model
from geo.importers.base import FileResult, Importer, Options, read_csv, reject_rows
from geo.model import DataError

OFFICIAL = ("oblast", "raion", "hromada", "level", "started_at", "finished_at")
VOLUNTEER = ("region", "started_at", "finished_at")
LEVELS = ("oblast", "raion", "hromada")
SOURCES = {"official": "alerts-official", "volunteer": "alerts-volunteer"}
COLUMNS = ("admin1", "raion", "hromada", "level", "started_at", "finished_at", "naive", "source", "note")


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().replace("", pd.NA)


def _official(raw: pd.DataFrame) -> pd.DataFrame:
    """Columns of the official file; rows whose oblast and raion columns are swapped are put right."""
    oblast, raion = _text(raw["oblast"]), _text(raw["raion"])
    swapped = oblast.map(admin.canonical_admin1).isna() & raion.map(admin.canonical_admin1).notna()
    return pd.DataFrame({
        "region": oblast.mask(swapped, raion), "raion": raion.mask(swapped, oblast), "hromada": _text(raw["hromada"]),
        "level": _text(raw["level"]).str.lower(), "started_at": raw["started_at"], "finished_at": raw["finished_at"],
        "naive": False, "source": raw.get("source", pd.Series("official", index=raw.index)),
        "note": pd.Series(pd.NA, index=raw.index, dtype="string").mask(swapped, "oblast and raion columns swapped "
                                                                       "in the source"),
    }, index=raw.index)


def _volunteer(raw: pd.DataFrame) -> pd.DataFrame:
    naive = _text(raw.get("naive", pd.Series("", index=raw.index))).str.lower() == "true"
    return pd.DataFrame({
        "region": _text(raw["region"]), "raion": pd.NA, "hromada": pd.NA, "level": "oblast",
        "started_at": raw["started_at"], "finished_at": raw["finished_at"], "naive": naive.fillna(False),
        "source": "volunteer",
        "note": pd.Series(pd.NA, index=raw.index, dtype="string").mask(naive.fillna(False),
                                                                       "no end message: end = start + 30 min"),
    }, index=raw.index)


class AlertsImporter(Importer):
    """Air-raid alert intervals per oblast (and raion/hromada in the official set)."""

    name = "alerts"
    description = "Air-raid alerts by oblast/raion/hromada (official channel and eTryvoga volunteers), UTC"
    attribution = ("Air-raid alerts: Vadimkin/ukrainian-air-raid-sirens-dataset (MIT), from the official alerts "
                   "channel and eTryvoga volunteers")
    licence = "MIT"
    patterns = ("*.csv",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        raw = read_csv(path)
        result.read = len(raw)
        if set(OFFICIAL) <= set(raw.columns):
            df = _official(raw)
        elif set(VOLUNTEER) <= set(raw.columns):
            df = _volunteer(raw)
        else:
            raise DataError(f"{path}: expected the columns {', '.join(OFFICIAL)} (official) or "
                            f"{', '.join(VOLUNTEER)} (volunteer) of the air-raid alerts dataset")
        unit = df["region"].map(admin.canonical_admin1)
        df = reject_rows(result, df, unit.isna(), "oblast", "unknown oblast", df["region"])
        df = reject_rows(result, df, ~df["level"].isin(LEVELS), "level", f"must be one of {', '.join(LEVELS)}",
                         df["level"])
        start, end = model.parse_times(df["started_at"]), model.parse_times(df["finished_at"])
        df = reject_rows(result, df, start.isna(), "started_at", "unparseable or missing time", df["started_at"])
        df = reject_rows(result, df, end[df.index].isna(), "finished_at", "unparseable or missing time",
                         df["finished_at"])
        out_of_range = (start[df.index] < model.EARLIEST) | (end[df.index] >= model.LATEST)
        df = reject_rows(result, df, out_of_range, "started_at",
                         f"time outside {model.EARLIEST.date()}..{model.LATEST.date()}", df["started_at"])
        df = reject_rows(result, df, end[df.index] < start[df.index], "finished_at", "ends before it starts",
                         df["finished_at"])
        source = _text(df["source"]).fillna("official")
        table = df.assign(
            admin1=unit[df.index].astype("string"), started_at=start[df.index], finished_at=end[df.index],
            naive=df["naive"].astype(bool), source=options.source or source.map(lambda s: SOURCES.get(s, s)),
        )
        text = ["admin1", "raion", "hromada", "level", "source", "note"]
        result.frames["alerts"] = table[list(COLUMNS)].astype(dict.fromkeys(text, "string"))
