"""GeoNames ``cities15000`` (tab-separated, no header) -> the ``towns`` layer.

``regionInfo*.tsv`` (admin-1 code -> name) is a lookup, not rows: given alone it reads 0 rows;
next to a cities file it names admin-1 codes the crosswalk does not know.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import admin, model
from geo.importers.base import FileResult, Importer, Options, read_csv, read_text, reject_rows

COLUMNS = (
    "geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude", "feature_class",
    "feature_code", "country_code", "cc2", "admin1_code", "admin2_code", "admin3_code", "admin4_code",
    "population", "elevation", "dem", "timezone", "modification_date",
)
COUNTRY = "UA"
CITY_POPULATION = 50_000
KINDS = {"PPLC": "capital", "PPLA": "oblast_centre"}

# National transliteration of Ukrainian (KMU 2010), used to pick the Ukrainian alternate name.
_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "", "-": "-", " ": " ",
}
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK_ONLY = set("іїєґ")
_RU_SOFT = re.compile("[чшщж]ь")  # Russian only (Керчь; Ukrainian Керч)


def transliterate_uk(text: str) -> str:
    """Ukrainian Cyrillic in the national Latin transliteration (lower case)."""
    out, initial = [], True
    for ch in text.lower():
        out.append(_UK_INITIAL[ch] if initial and ch in _UK_INITIAL else _UK.get(ch, ch))
        initial = ch in " -"
    return "".join(out)


def ukrainian_name(latin: str, alternates: str) -> str | None:
    """The alternate name that reads as Ukrainian and transliterates closest to ``latin``.

    Candidates use only Ukrainian letters (so most Russian, Belarusian and Serbian forms drop out);
    ties prefer a letter only Ukrainian has, then the longer spelling (the soft sign in -ськ/-цьк).
    Best effort: None when nothing transliterates close enough.
    """
    target = _ascii_key(latin)
    best: tuple[float, bool, int, str] | None = None
    for name in dict.fromkeys(a.strip() for a in str(alternates).split(",")):
        if not name or not all(c in _UK or c in _UK_INITIAL for c in name.lower()):
            continue
        if not any("\u0400" <= c <= "\u04ff" for c in name) or _RU_SOFT.search(name.lower()):
            continue
        score = difflib.SequenceMatcher(None, _ascii_key(transliterate_uk(name)), target).ratio()
        # ties: a letter only Ukrainian has, then the longer spelling (Донецьк over Донецк)
        key = (score, bool(_UK_ONLY & set(name.lower())), len(name), name)
        if best is None or key[:3] > best[:3]:
            best = key
    return best[3] if best and best[0] >= 0.6 else None


def _ascii_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if c.isalnum())


def is_region_info(path: Path) -> bool:
    """True for a ``regionInfo`` admin-1 lookup (header ``#region_code``)."""
    with path.open("rb") as fh:
        return fh.readline().lstrip(b"\xef\xbb\xbf").startswith(b"#region_code")


def region_names(path: Path) -> dict[str, str]:
    """``{"UA.26": "Zaporizhzhia", ...}`` from a regionInfo file."""
    table = read_csv(path, sep="\t", quoting=csv.QUOTE_NONE)
    return dict(zip(table.iloc[:, 0].str.strip(), table.iloc[:, 1].str.strip(), strict=True))


def _folder_region_names(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for info in sorted(path.parent.glob("regionInfo*.tsv")):
        out.update(region_names(info))
    return out


def _kinds(codes: pd.Series, population: pd.Series, admin1: pd.Series, lon: pd.Series, lat: pd.Series) -> pd.Series:
    """capital (PPLC), oblast_centre (PPLA, or at its unit's administrative centre: Simferopol is
    PPLA2 in GeoNames), else city from 50,000 people, else town."""
    centre = pd.Series([admin.admin1_point(a) for a in admin1], index=admin1.index, dtype=object)
    at_centre = pd.Series([c is not None and abs(c[0] - x) < 0.01 and abs(c[1] - y) < 0.01
                           for c, x, y in zip(centre, lon, lat, strict=True)], index=admin1.index)
    size = pd.Series("town", index=codes.index).mask(population >= CITY_POPULATION, "city")
    return codes.map(KINDS).fillna(size.mask(at_centre, "oblast_centre"))


class GeoNamesImporter(Importer):
    """Towns from a GeoNames ``cities*.txt`` dump (Ukraine rows)."""

    name = "geonames"
    description = "GeoNames populated places (cities15000 dump): towns with population and oblast"
    attribution = "Towns: GeoNames (geonames.org), CC BY 4.0"
    licence = "CC BY 4.0"
    patterns = ("cities*.txt", "regionInfo*.tsv")

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        if is_region_info(path):
            region_names(path)  # validates the lookup; it holds no rows to store
            return
        raw = read_csv(path, sep="\t", header=None, names=list(COLUMNS), quoting=csv.QUOTE_NONE,
                       skip_blank_lines=False)  # index = line number
        result.read = len(raw)
        lines = re.split(r"\r?\n", read_text(path)[0])
        lines = lines[:-1] if lines[-1] == "" else lines  # the final newline ends a line, not a row
        widths = pd.Series([line.count("\t") + 1 for line in lines])
        if len(widths) == len(raw):  # short or blank lines (pandas pads them with empty fields)
            widths.index = raw.index
            raw = reject_rows(result, raw, widths != len(COLUMNS), "columns",
                              f"expected {len(COLUMNS)} tab-separated columns", widths.astype(str) + " found")
        raw = raw.apply(lambda s: s.str.strip())
        lat = pd.to_numeric(raw["latitude"], errors="coerce")
        lon = pd.to_numeric(raw["longitude"], errors="coerce")
        df = reject_rows(result, raw, lat.isna(), "latitude", "not a number", raw["latitude"])
        df = reject_rows(result, df, lon.reindex(df.index).isna(), "longitude", "not a number", df["longitude"])
        df = reject_rows(result, df, df["country_code"] != COUNTRY, "country_code",
                         f"outside the theatre (only {COUNTRY} rows are towns here)", df["country_code"])
        regions = _folder_region_names(path)
        codes = df["country_code"] + "." + df["admin1_code"]
        admin1 = codes.map(lambda c: admin.canonical_admin1(c) or admin.canonical_admin1(regions.get(c)))
        population = pd.to_numeric(df["population"], errors="coerce")
        kind = _kinds(df["feature_code"], population, admin1, lon[df.index], lat[df.index])
        towns = pd.DataFrame({
            "town_id": "gn:" + df["geonameid"],
            "name": df["name"].where(df["name"] != "", df["asciiname"]),
            "name_uk": [ukrainian_name(n, a) for n, a in zip(df["name"], df["alternatenames"], strict=True)],
            "population": df["population"],
            "admin1": admin1,
            "kind": kind,
            "source": "geonames",
            "note": "",
            "feature_code": df["feature_code"],
            "admin1_code": codes,
            "modified": df["modification_date"],
        }, index=df.index)
        result.frames["towns"] = gpd.GeoDataFrame(
            towns, geometry=gpd.points_from_xy(lon[df.index], lat[df.index]), crs=model.CRS)
