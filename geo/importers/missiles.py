"""Massive missile and drone attacks (Petro Ivaniuk's Kaggle set of Ukrainian Air Force reports).

``missile_attacks_daily.csv`` has one row per weapon model per attack wave and no
coordinates. Each row is stored once:

* in ``strikes``, at the oblast's administrative centre with ``location_precision='admin1'``,
  when the wave names exactly one oblast (the ``affected region`` list when it is filled,
  else ``target``); ``launched``/``destroyed`` are kept;
* otherwise (country-wide ``Ukraine``, directions like ``south``, several oblasts, places
  outside Ukraine) in the table ``missile_waves``: same columns, no point, the oblasts it
  names in ``regions``. No point is invented for a wave that has no single place.

``missiles_and_uav.csv`` (the weapon reference) enriches ``weapon_category`` and ``kind``
when it sits next to the attacks file, and imports as the table ``weapons`` when given.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from geo import model
from geo.importers import events_common as ev
from geo.importers.base import FileResult, Importer, Options, read_csv, reject_rows, require_columns
from geo.model import DataError

LOOKUP = "missiles_and_uav.csv"
TZ = "Europe/Kyiv"
COLUMNS = ("time_start", "time_end", "model", "launch_place", "target", "launched", "destroyed", "source")
CATEGORY_KIND = {"uav": "drone", "cruise missile": "missile", "ballistic missile": "missile",
                 "surface-to-air missile": "missile", "guided bomb": "glide_bomb"}
EXTRA = ("time_end", "launched", "destroyed", "weapon_category", "launch_place")
WAVE_COLUMNS = ("event_id", "time", "time_precision", "time_end", "kind", "weapon", "weapon_category", "target",
                "regions", "launched", "destroyed", "launch_place", "description", "source", "source_url")
_AND = re.compile(r"\s+and\s+")


def kyiv_times(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(UTC times, precision) from local Kyiv ``YYYY-MM-DD HH:MM`` or date-only ``YYYY-MM-DD``.

    Date-only values keep their calendar date at 00:00 UTC (precision 'day'); clock times are
    converted from Europe/Kyiv (EET/EEST) to UTC (precision 'minute'). A clock time in the
    repeated autumn hour is taken as summer time; one in the skipped spring hour moves forward.
    """
    text = text.astype("string").str.strip()
    day = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    local = pd.to_datetime(text.where(day.isna()), format="%Y-%m-%d %H:%M", errors="coerce")
    dst = np.ones(len(local), dtype=bool)
    clock = local.dt.tz_localize(TZ, ambiguous=dst, nonexistent="shift_forward").dt.tz_convert("UTC")
    out = day.dt.tz_localize("UTC").where(day.notna(), clock).dt.as_unit("us")
    precision = pd.Series(np.where(day.notna(), "day", "minute"), index=text.index)
    return out, precision


def source_urls(ref: pd.Series) -> pd.Series:
    """Report links: URLs as given, 'site.tld/...' as https, 'page/posts/...' as the Facebook page."""
    ref = ref.astype("string").str.strip()
    first = ref.str.split("/").str[0]
    url = ref.where(ref.str.startswith("http"),
                    ("https://" + ref).where(first.str.contains(".", regex=False), "https://www.facebook.com/" + ref))
    return url.where(ref != "")


def load_lookup(path: Path) -> dict[str, str]:
    """model -> category from a ``missiles_and_uav.csv``; empty when the file is absent."""
    if not path.exists():
        return {}
    table = read_csv(path)
    if not {"model", "category"} <= set(table.columns):
        raise DataError(f"{path}: not a weapon reference (needs columns model, category)")
    return {m.strip(): c.strip() for m, c in zip(table["model"], table["category"], strict=True) if m.strip()}


def weapon_kind(name: str, lookup: dict[str, str]) -> tuple[str, str | None]:
    """(kind, category) of a model string from the reference table, else from its name.

    Bundles ('X-101/X-555 and Kalibr') not listed whole take their parts' categories, and the
    kind of the first part that has one.
    """
    name = name.strip()
    cats = [lookup[name]] if name in lookup else [lookup[p] for p in _AND.split(name) if p in lookup]
    cats = list(dict.fromkeys(c for c in cats if c.lower() in CATEGORY_KIND))
    if cats:
        return CATEGORY_KIND[cats[0].lower()], "; ".join(cats)
    return ev.classify_kind(name) or "missile", None


def _areas(target: str, affected: str) -> list[str]:
    """The places a wave names: the ``affected region`` list when filled, else ``target`` split on 'and'."""
    if affected.strip().startswith("["):
        try:
            listed = ast.literal_eval(affected.strip())
        except (ValueError, SyntaxError):
            listed = []
        if isinstance(listed, list) and listed:
            return [str(x) for x in listed]
    return [a for a in _AND.split(target.strip()) if a] if target.strip() else []


def wave_regions(target: str, affected: str) -> tuple[str | None, list[str]]:
    """(the single oblast, every oblast named) of a wave; the single oblast is None unless
    every named area resolves to the same oblast ('Dnipropetrovsk oblast, Dnipro Raion' is one)."""
    found, unresolved = [], False
    for area in _areas(target, affected):
        name = next((a for a in (ev.resolve_admin1(p.strip(), fuzzy=False) for p in area.split(",")) if a), None)
        unresolved |= name is None
        if name:
            found.append(name)
    names = list(dict.fromkeys(found))
    return (names[0] if len(names) == 1 and not unresolved else None), names


class MissilesImporter(Importer):
    name = "missiles"
    description = "Massive missile and drone attacks on Ukraine (Ukrainian Air Force reports, digitised)"
    attribution = "Petro Ivaniuk (Kaggle: massive-missile-attacks-on-ukraine), Ukrainian Air Force reports"
    licence = "Kaggle dataset licence not verified; attribute Petro Ivaniuk and the Ukrainian Air Force"
    patterns: ClassVar[tuple[str, ...]] = ("missile_attacks*.csv", "missiles_and_uav*.csv")

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        df = read_csv(path)
        result.read = len(df)
        if "time_start" not in df.columns and {"model", "category"} <= set(df.columns):
            lookup = dict(zip(df["model"].str.strip(), df["category"].str.strip(), strict=True))
            result.frames["weapons"] = df.assign(kind=df["model"].map(lambda m: weapon_kind(m, lookup)[0]))
            return
        require_columns(df, COLUMNS, path, "missile-attacks")
        self._attacks(df, path, result)

    def _attacks(self, df: pd.DataFrame, path: Path, result: FileResult) -> None:
        key = ev.row_text(*(df[c] for c in ("time_start", "time_end", "model", "target", "launch_place")))
        content = ev.row_text(*(df[c] for c in df.columns))
        affected = df["affected region"] if "affected region" in df.columns else pd.Series("", index=df.index)
        start, precision = kyiv_times(df["time_start"])
        end, _ = kyiv_times(df["time_end"])
        raw_start = df["time_start"]
        df = df.assign(time=start, time_precision=precision, time_end=end)
        df = reject_rows(result, df, start.isna(), "time_start", "unparseable or missing date/time", raw_start)
        df = reject_rows(result, df, (df["time"] < model.EARLIEST) | (df["time"] >= model.LATEST), "time_start",
                         f"date outside {model.EARLIEST.date()}..{model.LATEST.date()}", raw_start)
        for col in ("launched", "destroyed"):
            df = ev.to_count(result, df, col)
        df = reject_rows(result, df, df["destroyed"] > df["launched"], "destroyed", "more destroyed than launched",
                         df["destroyed"].astype(str) + " > " + df["launched"].astype(str))
        df = ev.assign_ids(result, df, "missiles:" + key.loc[df.index].map(ev.digest), content.loc[df.index])
        lookup = load_lookup(path.with_name(LOOKUP))
        kinds = df["model"].map(lambda m: weapon_kind(m, lookup))
        regions = pd.Series([wave_regions(t, a) for t, a in zip(df["target"], affected.loc[df.index], strict=True)],
                            index=df.index, dtype=object)
        df = df.assign(
            kind=kinds.str[0].astype("string"), weapon=df["model"].str.strip(),
            weapon_category=kinds.str[1].astype("string"), admin1=regions.str[0],
            regions=regions.str[1].map("; ".join).replace("", pd.NA), target=df["target"].str.strip(),
            launch_place=df["launch_place"].str.strip(), source=self.name, source_url=source_urls(df["source"]),
            description=self._describe(df),
        )
        single = df["admin1"].notna()
        waves = df[~single]
        result.frames["missile_waves"] = waves[list(WAVE_COLUMNS)].copy()
        located = df[single]
        nothing = pd.Series(pd.NA, index=located.index, dtype="string")
        points = ev.place_points(result, located, nothing, nothing, "admin1", lon_field="target",
                                 place=located["target"])
        result.frames["strikes"] = ev.strikes_frame(points.assign(place=points["target"]), extra=EXTRA)

    @staticmethod
    def _describe(df: pd.DataFrame) -> pd.Series:
        """'Shahed-136/131: 339 launched, 298 destroyed; target Ukraine; from Kursk oblast'."""
        launched = df["launched"].astype("string").fillna("?")
        destroyed = df["destroyed"].astype("string").fillna("?")
        text = df["model"].str.strip() + ": " + launched + " launched, " + destroyed + " destroyed; target " + \
            df["target"].str.strip().replace("", "unknown")
        origin = df["launch_place"].str.strip()
        return text.where(origin == "", text + "; from " + origin)
