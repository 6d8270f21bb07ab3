"""Wikipedia "Cities and towns during the Russo-Ukrainian War" scrapes (vi-enne/controlCitiesUkraine).

Each scrape becomes rows of the extra table ``town_evidence``: what the list said about a town
(``Held by``, mapped onto our status vocabulary, the original kept in ``label``) and when. It is
evidence to set beside the status derived from control polygons, never truth. Towns are matched
to the embedded gazetteer (``data/towns.csv``: GeoNames ids and the frontline ``fl:`` towns) by
name, distance and population; the ``admin1`` of a row is that of its matched town.
``ukraineCities.csv`` (the scraper's name -> coordinates lookup) is a lookup, not rows: it fills
missing coordinates of scrapes in the same folder and reads 0 rows when given alone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import model
from geo.atlas import DEFAULT_DATA, read_points_csv
from geo.importers.base import FileResult, Importer, Options, read_csv, reject_rows
from geo.model import DataError
from geo.theatres import ukraine

SOURCE = "wikipedia"
SOURCE_URL = "https://en.wikipedia.org/wiki/Cities_and_towns_during_the_Russo-Ukrainian_War"
REQUIRED = ("Name", "Held by", "update")
LOOKUP_HEADER = ("city", "city_ascii", "Lat", "Lon")
INVASION = pd.Timestamp("2022-02-24", tz="UTC")
MATCH_KM = 15.0  # a gazetteer town of the same name farther than this is another place
MATCH_POPULATION = 3.0  # ... and so is one whose population differs by more than this factor

# 'Held by' -> status. Ukraine is free, or liberated when the notes record a capture or recapture
# in 2022 or later (or a 'Liberation of'); Russia is occupied_before when its last capture predates 2022.
HELD_BY = {
    "ukraine": model.FREE,
    "russia": "occupied",
    "donetsk pr": "occupied",
    "luhansk pr": "occupied",
    "contested": "contested",
    "gray zone": "contested",
    "grey zone": "contested",
    "truce": "contested",
}
_EVENT = re.compile(r"(re)?[cс]aptured by\s+(.+?)\s+(?:on\s+|in\s+|by\s+)?(?:early\s+|mid-|late\s+)?"
                    r"(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?(\d{4})", re.IGNORECASE)


def town_key(name: object) -> str:
    """A spelling-tolerant key: no accents, case, spaces, hyphens or apostrophes."""
    text = unicodedata.normalize("NFKD", str(name)).lower()
    return "".join(c for c in text if c.isalnum())


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").str.replace("\u00a0", " ").str.replace(r"\s+", " ", regex=True).str.strip()


def events(info: str) -> list[tuple[str, int]]:
    """[(who, year), ...] of each "(Re)captured by X <date>" in the notes, in order."""
    return [(who.strip().lower(), int(year)) for _re, who, year in _EVENT.findall(info or "")]


def status_of(held_by: str, info: str, as_of: pd.Timestamp | None) -> str | None:
    """Our status for a row; None for an unknown ``Held by`` value."""
    status = HELD_BY.get(held_by.strip().lower())
    found = events(info)
    if status == model.FREE:
        fought = any(year >= INVASION.year for _who, year in found)  # taken or retaken since 2022
        return "liberated" if fought or "liberation of" in (info or "").lower() else status
    if status == "occupied":
        if found:  # a last event by Ukraine means the (unrecorded) Russian capture came later
            before = not found[-1][0].startswith("ukraine") and found[-1][1] < INVASION.year
        else:
            before = as_of is not None and not pd.isna(as_of) and as_of < INVASION
        return "occupied_before" if before else status
    return status


def parse_day(values: pd.Series) -> pd.Series:
    """'4 Jan 2024' / '24 February 2022' as UTC midnight; NaT when unreadable."""
    text = _text(values)
    out = pd.to_datetime(text, format="%d %B %Y", errors="coerce", utc=True)
    return out.fillna(pd.to_datetime(text, format="%d %b %Y", errors="coerce", utc=True)).dt.as_unit("us")


def parse_scrape(values: pd.Series) -> pd.Series:
    """'17 August 2024 00h53 UTC' as a UTC time."""
    text = _text(values).str.replace(r"\s*UTC$", "", regex=True)
    return pd.to_datetime(text, format="%d %B %Y %Hh%M", errors="coerce", utc=True).dt.as_unit("us")


def is_lookup(path: Path) -> bool:
    """True for the scraper's ``ukraineCities.csv`` coordinate lookup."""
    with path.open("rb") as fh:
        head = fh.readline().decode("utf-8-sig", "replace").replace('"', "").strip()
    return tuple(head.split(",")) == LOOKUP_HEADER


def _folder_lookup(path: Path) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for f in sorted(path.parent.glob("*.csv")):
        if f != path and is_lookup(f):
            table = read_csv(f)
            xy = table[["Lon", "Lat"]].apply(pd.to_numeric, errors="coerce").dropna()
            for key, lon, lat in zip(table.loc[xy.index, "city"].map(town_key), xy["Lon"], xy["Lat"], strict=True):
                out.setdefault(key, (lon, lat))
    return out


@lru_cache(maxsize=1)
def gazetteer() -> pd.DataFrame:
    """The embedded towns (``data/towns.csv``): key, town_id, admin1, population, lon, lat."""
    path = DEFAULT_DATA / "towns.csv"
    if not path.exists():
        return pd.DataFrame(columns=["key", "town_id", "admin1", "population", "lon", "lat"])
    towns = read_points_csv(path)
    return pd.DataFrame({
        "key": towns["name"].map(town_key), "town_id": towns["town_id"], "admin1": towns["admin1"],
        "population": pd.to_numeric(towns["population"], errors="coerce"),
        "lon": towns.geometry.x, "lat": towns.geometry.y,
    })


def _km(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    dx = (lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2)) * 111.32
    return np.hypot(dx, (lat2 - lat1) * 110.57)


@lru_cache(maxsize=1)
def _gazetteer_groups() -> dict[str, tuple[np.ndarray, ...]]:
    """key -> (town_id, admin1, population, lon, lat) arrays."""
    return {k: tuple(g[c].to_numpy() for c in ("town_id", "admin1", "population", "lon", "lat"))
            for k, g in gazetteer().groupby("key")}


def match_towns(keys: pd.Series, lon: pd.Series, lat: pd.Series, population: pd.Series) -> pd.DataFrame:
    """town_id and admin1 of the gazetteer town each row names (same key, near, similar size)."""
    groups = _gazetteer_groups()
    ids: list[object] = []
    units: list[object] = []
    for key, x, y, pop in zip(keys, lon, lat, population, strict=True):
        cand = groups.get(key)
        town, unit = pd.NA, pd.NA
        if cand is not None:
            c_id, c_unit, c_pop, c_lon, c_lat = cand
            if pd.notna(x) and pd.notna(y):
                dist = _km(x, y, c_lon, c_lat)
                ok = dist <= MATCH_KM
            else:  # no coordinates: only an unambiguous name
                dist = np.zeros(len(c_id))
                ok = np.full(len(c_id), len(c_id) == 1)
            if pd.notna(pop) and pop > 0:
                ratio = c_pop / pop
                ok &= ~((ratio > MATCH_POPULATION) | (ratio < 1 / MATCH_POPULATION))  # unknown population passes
            if ok.any():
                best = np.flatnonzero(ok)[int(np.argmin(dist[ok]))]
                town, unit = c_id[best], c_unit[best]
        ids.append(town)
        units.append(unit)
    return pd.DataFrame({"town_id": ids, "admin1": units}, index=keys.index, dtype="string")


def _coordinates(df: pd.DataFrame, lookup: dict[str, tuple[float, float]], keys: pd.Series
                 ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """lon, lat and a note: swapped lat/lon repaired, gaps filled from the lookup, outliers dropped."""
    lon = pd.to_numeric(df.get("Lon"), errors="coerce") if "Lon" in df else pd.Series(np.nan, index=df.index)
    lat = pd.to_numeric(df.get("Lat"), errors="coerce") if "Lat" in df else pd.Series(np.nan, index=df.index)
    x0, y0, x1, y1 = ukraine.BBOX
    inside = lon.between(x0, x1) & lat.between(y0, y1)
    swapped = ~inside & lat.between(x0, x1) & lon.between(y0, y1)
    note = pd.Series(pd.NA, index=df.index, dtype="string").mask(swapped, "Lat/Lon swapped in the source")
    lon, lat = lon.mask(swapped, lat), lat.mask(swapped, lon)
    found_lon = keys.map(lambda k: lookup.get(k, (np.nan, np.nan))[0]).astype(float)
    found_lat = keys.map(lambda k: lookup.get(k, (np.nan, np.nan))[1]).astype(float)
    from_lookup = (lon.isna() | lat.isna()) & found_lon.notna()
    lon, lat = lon.mask(from_lookup, found_lon), lat.mask(from_lookup, found_lat)
    note = note.mask(from_lookup, "coordinates from ukraineCities.csv")
    outside = lon.notna() & lat.notna() & ~(lon.between(x0, x1) & lat.between(y0, y1))
    note = note.mask(outside, "coordinates outside Ukraine in the source (dropped)")
    return lon.mask(outside), lat.mask(outside), note


class WikipediaTownsImporter(Importer):
    """Town-level control evidence from scrapes of the English Wikipedia list."""

    name = "wikipedia-towns"
    description = "Wikipedia list of cities and towns during the war (vi-enne scrapes): town control evidence"
    attribution = ("Town control evidence: English Wikipedia, 'Cities and towns during the Russo-Ukrainian War' "
                   "(CC BY-SA), scraped by vi-enne/controlCitiesUkraine; coordinates simplemaps.com (CC BY 4.0)")
    licence = "CC BY-SA 3.0 (Wikipedia text); CC BY 4.0 (scrapes, simplemaps coordinates)"
    patterns = ("*.csv",)

    def read(self, path: Path, result: FileResult, options: Options) -> None:
        if is_lookup(path):
            read_csv(path)  # validates the lookup; it holds no evidence rows
            return
        raw = read_csv(path)
        result.read = len(raw)
        missing = [c for c in REQUIRED if c not in raw.columns]
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(missing)} (not a vi-enne Wikipedia scrape?)")
        df = raw.assign(Name=_text(raw["Name"]))
        df = reject_rows(result, df, df["Name"].fillna("") == "", "Name", "town name is missing")
        df = reject_rows(result, df, df.duplicated(), "Name", "row repeats an earlier row exactly", df["Name"])
        scraped = parse_scrape(df["update"])
        as_of = parse_day(df["As of"]) if "As of" in df else pd.Series(pd.NaT, index=df.index, dtype=scraped.dtype)
        bad_as_of = as_of.isna() & (_text(df["As of"]).fillna("") != "") if "As of" in df else as_of.notna()
        df = reject_rows(result, df, bad_as_of, "As of", "unreadable date", df.get("As of"))
        date = as_of[df.index].fillna(scraped[df.index].dt.floor("D"))
        df = reject_rows(result, df, date.isna(), "update", "no 'As of' date and unreadable scrape time",
                         df["update"])
        info = _text(df.get("More information", pd.Series("", index=df.index))).fillna("")
        status = pd.Series([status_of(h, n, d) for h, n, d in zip(_text(df["Held by"]).fillna(""), info,
                                                                    date[df.index], strict=True)], index=df.index)
        df = reject_rows(result, df, status.isna(), "Held by", "unknown control value", df["Held by"])
        keys = df["Name"].map(town_key)
        lon, lat, note = _coordinates(df, _folder_lookup(path), keys)
        population = pd.to_numeric(df.get("Population", pd.Series("", index=df.index)).str.replace(",", ""),
                                   errors="coerce")
        matched = match_towns(keys, lon, lat, population)
        evidence = pd.DataFrame({
            "name": df["Name"], "town_id": matched["town_id"], "admin1": matched["admin1"],
            "status": status[df.index], "label": _text(df["Held by"]),
            "date": date[df.index], "date_basis": np.where(as_of[df.index].notna(), "as_of", "scraped"),
            "scraped_at": scraped[df.index], "population": population.round().astype("Int64"),
            "info": info[df.index], "note": note,
            "source": options.source or SOURCE,
            "source_url": _text(df.get("sourceLink", pd.Series("", index=df.index))).replace("", SOURCE_URL),
        }, index=df.index)
        geometry = shapely.points(lon.to_numpy(), lat.to_numpy())  # NaN -> empty point
        geometry[(lon.isna() | lat.isna()).to_numpy()] = None
        result.frames["town_evidence"] = gpd.GeoDataFrame(evidence, geometry=geometry, crs=model.CRS)
