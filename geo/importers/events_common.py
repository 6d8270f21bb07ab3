"""Helpers shared by the event importers (cir, bellingcat, ucdp, missiles).

Free-text classification of strike kinds, best-effort casualty counts from descriptions,
admin-1 resolution of misspelt oblast names, stable event ids, and point placement with the
rejects every event source needs (swapped lon/lat, outside the theatre, no location at all).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import admin, model
from geo.importers.base import FileResult, reject_rows

# ---- kind classification ------------------------------------------------------------
# First matching rule wins; each pattern is searched case-insensitively in the row's text.
KIND_RULES: tuple[tuple[str, str], ...] = (
    ("glide_bomb", r"glide[ds]?[- ]bomb|guided (?:aerial |air )?bombs?|\bKAB(?:-\d+)?\b|\bUMPK\b|\bGBU\b"),
    ("ground", r"anti-?tank (?:guided )?missile|\bATGM|Stugna|Javelin|NLAW|Kornet"),
    ("drone", r"\bdrones?\b|\bUAVs?\b|Shahed|Geran|Lancet|loitering|quadcopter|\bFPV\b|kamikaze|Orlan|"
              r"\bZALA\b|\bKub\b|Supercam|Mohajer|Merlin|Forpost|\bOrion\b|Granat|Eleron|Молнія|Фенікс|Картограф|"
              r"Привет"),
    ("missile", r"missiles?\b|Iskander|Kalibr|Kinzhal|Tochka|Zircon|Oniks|Onyx|\bKN-23|\b[XKХ]h?-\d+|"
                r"\bC-[34]00\b|\bS-[34]00\b|ballistic|cruise|\b9M79|\b9M723|Banderol"),
    ("airstrike", r"air ?strikes?|air[- ]raid|aerial bomb|\bbomb(?:s|ed|ing)? dropped|dropped (?:a )?bombs?|"
                  r"aircraft|\bbombers?\b|\bbombs?\b|parachute|\bjets?\b|helicopter|\bSu-\d+|\bFAB-\d+"),
    ("artillery", r"artillery|shell(?:s|ed|ing)?\b|\bMLRS|\bGrads?\b|Uragan|Smerch|Tornado|\bTOS-1|mortars?\b|"
                  r"howitzer|cluster|submunition|cargo warhead|rockets?\b|\b9M27|\b9M55|\b9M544|\bBM-\d+|"
                  r"thermobaric|\bHrads?\b"),
    ("ground", r"gunfire|shooting|shot (?:at|dead)|fired? on|opened fire|firefight|small arms|machine[- ]gun|"
               r"sniper|\btanks?\b|ambush|clash(?:es)?|battles?\b|fighting|armou?red vehicle|\bIFV|\bBMP|\bBTR"),
)
_KIND_RES = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, p in KIND_RULES)
# Words that look like a weapon but describe the camera: "drone footage of the damage".
_NOT_WEAPON = re.compile(r"\bdrone (?:footage|video|shot|imagery|view|image)s?", re.IGNORECASE)


def classify_kind(text: object) -> str | None:
    """The strike kind named in free text by the first matching KIND_RULES rule, else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    clean = _NOT_WEAPON.sub(" ", text)
    for kind, rx in _KIND_RES:
        if rx.search(clean):
            return kind
    return None


def classify_kinds(text: pd.Series, fallback: pd.Series | str) -> pd.Series:
    """``classify_kind`` per row; rows it cannot place take ``fallback`` (a value or a per-row series)."""
    found = text.map(classify_kind)
    fill = fallback if isinstance(fallback, pd.Series) else pd.Series(fallback, index=text.index)
    return found.where(found.notna(), fill).astype("string")


# ---- casualties from free text ------------------------------------------------------
_NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_WORDS = "|".join([*(f"{t}[- ]{u}" for t in _TENS for u in list(_NUMBER_WORDS)[1:10]), *_TENS, *_NUMBER_WORDS])
_NUM = rf"(\d{{1,3}}|{_WORDS})"
_PERSON = r"(?:man|woman|child|boy|girl|person|civilian|resident|teenager|pensioner|soldier)"
_KILLED = r"(?:killed|dead|died|deaths?|fatalities|fatally)"
_INJURED = r"(?:injured|wounded|injuries|hurt)"
# one word inside a "<number> ... killed" phrase: not a number and not a casualty word
_WORD = rf"(?:(?!\d)(?!(?:{_WORDS}|{_KILLED}|{_INJURED})\b)[\w'’-]+\s+)"


def _casualty_patterns(word: str) -> tuple[re.Pattern, ...]:
    return (
        re.compile(rf"(?<!\bof\s)(?<!-)\b{_NUM}\s+{_WORD}{{0,5}}?{word}\b", re.IGNORECASE),  # "3 people were killed"
        re.compile(rf"\b(?:killing|toll (?:rises |rose )?(?:to|of))\s+{_NUM}\b", re.IGNORECASE)
        if word == _KILLED else re.compile(rf"\b(?:wounding|injuring)\s+{_NUM}\b", re.IGNORECASE),
        re.compile(rf"\b(?:an?|one)\s+{_PERSON}\s+{_WORD}{{0,3}}?{word}\b", re.IGNORECASE),  # "a woman killed"
    )


_PATTERNS = {"killed": _casualty_patterns(_KILLED), "injured": _casualty_patterns(_INJURED)}
_NONE = {"killed": re.compile(r"\bno (?:one|people|civilians?|deaths|fatalities|casualties)\b(?: \w+){0,2} "
                              r"(?:killed|died|reported)|\bno (?:deaths|fatalities|casualties)\b", re.IGNORECASE),
         "injured": re.compile(r"\bno (?:one|people|civilians?)\b(?: \w+){0,2} (?:injured|wounded|hurt)|"
                               r"\bno (?:injuries|casualties)\b", re.IGNORECASE)}


def _count(token: str) -> int:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in _NUMBER_WORDS or token in _TENS:
        return _NUMBER_WORDS.get(token, _TENS.get(token, 1))
    tens, unit = re.split(r"[- ]", token)
    return _TENS[tens] + _NUMBER_WORDS[unit]


def parse_casualties(text: object) -> tuple[int | None, int | None]:
    """(killed, injured) stated in free text, None where nothing is stated (best effort).

    ``"Two people killed and 5 wounded"`` -> (2, 5); ``"a woman reportedly killed"`` -> (1, None);
    ``"no casualties"`` -> (0, 0). When a count is mentioned twice the larger is taken.
    """
    if not isinstance(text, str) or not text.strip():
        return None, None
    out: list[int | None] = []
    for field in ("killed", "injured"):
        counts = [_count(m.group(1)) if m.groups() else 1 for rx in _PATTERNS[field] for m in rx.finditer(text)]
        if counts:
            out.append(max(counts))
        else:
            out.append(0 if _NONE[field].search(text) else None)
    return out[0], out[1]


def casualty_columns(text: pd.Series) -> pd.DataFrame:
    """``parse_casualties`` over a series: a frame with nullable ``killed`` and ``injured``."""
    pairs = [parse_casualties(t) for t in text]
    return pd.DataFrame(pairs, columns=["killed", "injured"], index=text.index).astype("Int64")


# ---- admin-1 --------------------------------------------------------------------------
# City or area names that sources use in place of an oblast.
ADMIN1_ALIASES: dict[str, str] = {
    "kiev special republican city": "Kyiv City",
    "kyiv city": "Kyiv City",
    "lutsk": "Volyn",
    "kryvyi rih": "Dnipropetrovsk",
    "starokostiantyniv": "Khmelnytskyi",
    "snake island": "Odesa",
    "kramatorsk": "Donetsk",
    "mariupol": "Donetsk",
    "crimean peninsula": "Crimea",
    "sevastopol city": "Sevastopol",
}
_CLEAN = re.compile(r",?\s*ukraine\s*$|[,.;:]+\s*$|^\s*oblast\s+|\s+(?:oblast|region|obl\.?)\s*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _fuzzy_choices() -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, (_iso, _gn, _lon, _lat, variants) in admin.THEATRE.ADMIN1.items():
        for name in (canon, *variants):
            out[re.sub(r"[^a-z]", "", name.lower())] = canon
    return {k: v for k, v in out.items() if len(k) >= 4}


@lru_cache(maxsize=4096)
def resolve_admin1(name: object, fuzzy: bool = True) -> str | None:
    """Canonical admin-1 for a name as written in a source: exact variants, aliases, then
    (with ``fuzzy``) a close spelling ('Donestk Oblast', 'Cherson Oblast'), else None."""
    if not isinstance(name, str) or not name.strip():
        return None
    found = admin.canonical_admin1(name)
    if found:
        return found
    text = name.strip()
    for _ in range(3):
        text = _CLEAN.sub("", text).strip()
    found = admin.canonical_admin1(text) or ADMIN1_ALIASES.get(text.lower().replace("’", "'"))
    if found or not fuzzy:
        return found
    key = re.sub(r"[^a-z]", "", text.lower())
    match = difflib.get_close_matches(key, list(_fuzzy_choices()), n=1, cutoff=0.8)
    return _fuzzy_choices()[match[0]] if match else None


_PARTS = re.compile(r"[,;/()\n]|\band\b")


def admin1_in_text(text: object) -> str | None:
    """The first admin-1 named in a place string ('Kramatorsk (Donetsk region)' -> Donetsk)."""
    if not isinstance(text, str):
        return None
    whole = resolve_admin1(text, fuzzy=False)
    if whole:
        return whole
    for part in _PARTS.split(text):
        found = resolve_admin1(part.strip(), fuzzy=False)
        if found:
            return found
    return None


# ---- ids, numbers, times --------------------------------------------------------------
def digest(*values: object) -> str:
    """A short stable hash of the values (for sources without an id)."""
    text = "\x1f".join("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def row_text(*columns: pd.Series) -> pd.Series:
    """The values of each row joined into one string (what a row says, for ids and duplicate checks)."""
    index = columns[0].index
    return pd.Series(["\x1f".join(map(str, values)) for values in zip(*columns, strict=True)], index=index,
                     dtype=object)


def assign_ids(result: FileResult, frame: pd.DataFrame, base: pd.Series, content: pd.Series) -> pd.DataFrame:
    """``frame`` with ``event_id``: ``base`` when it is unique; a repeated base on a row whose
    ``content`` differs from the first such row gets ``base-<hash>``; exact repeats are rejected."""
    first_content = content.groupby(base, sort=False).transform("first")
    same = content == first_content
    ids = base.where(same, base + "-" + content.map(lambda c: digest(c)[:8]))
    dup = ids.duplicated(keep="first")
    out = reject_rows(result, frame.assign(event_id=ids), dup, "event_id",
                      "duplicate row (first occurrence kept)", ids)
    return out


def to_count(result: FileResult, frame: pd.DataFrame, column: str, field: str | None = None) -> pd.DataFrame:
    """``frame`` with ``column`` as nullable Int64; rows with text, negative or fractional values rejected."""
    raw = frame[column].astype("string").str.strip().replace("", pd.NA)
    num = pd.to_numeric(raw, errors="coerce")
    name = field or column
    out = reject_rows(result, frame, raw.notna() & num.isna(), name, "not a number", raw)
    out = reject_rows(result, out, (num < 0).reindex(out.index), name, "negative count", raw)
    out = reject_rows(result, out, (num % 1 != 0).reindex(out.index), name, "not a whole number", raw)
    return out.assign(**{column: num.reindex(out.index).astype("Int64")})


# ---- points ---------------------------------------------------------------------------
def place_points(result: FileResult, frame: pd.DataFrame, lon: pd.Series, lat: pd.Series,
                 precision: pd.Series | str, lon_field: str = "longitude",
                 missing: pd.Series | None = None, place: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Point geometries for ``frame`` (which must hold ``admin1``), with the rejects of bad places.

    Coordinates that are absent (or flagged by ``missing``) fall back to the admin-1 centre with
    ``location_precision='admin1'``; without a known admin-1 the row is rejected. Coordinates
    that are text, swapped (lat in the lon range and lon in the lat range) or outside the
    theatre box are rejected, never repaired. ``place`` is the text a no-location reject shows.
    """
    x_raw = pd.Series(lon, index=frame.index).astype("string").str.strip().replace("", pd.NA)
    y_raw = pd.Series(lat, index=frame.index).astype("string").str.strip().replace("", pd.NA)
    x, y = pd.to_numeric(x_raw, errors="coerce"), pd.to_numeric(y_raw, errors="coerce")
    values = x_raw.fillna("") + ", " + y_raw.fillna("")
    prec = precision if isinstance(precision, pd.Series) else pd.Series(precision, index=frame.index)
    prec = prec.astype("string")
    absent = x_raw.isna() | y_raw.isna() | (missing if missing is not None else False)
    out = reject_rows(result, frame, ~absent & (x.isna() | y.isna()), lon_field, "coordinates are not numbers",
                      values)
    x0, x1, y0, y1 = admin.THEATRE.BBOX[0], admin.THEATRE.BBOX[2], admin.THEATRE.BBOX[1], admin.THEATRE.BBOX[3]
    inside = x.between(x0, x1) & y.between(y0, y1)
    swapped = ~absent & ~inside & y.between(x0, x1) & x.between(y0, y1)
    out = reject_rows(result, out, swapped.reindex(out.index), lon_field, "lon/lat swapped?", values)
    outside = ~absent & ~inside & ~swapped
    out = reject_rows(result, out, outside.reindex(out.index), lon_field,
                      f"outside the theatre (lon {x0}..{x1}, lat {y0}..{y1})", values)
    centre = out["admin1"].map(lambda a: admin.admin1_point(a) if isinstance(a, str) else None)
    fallback = absent.reindex(out.index)
    out = reject_rows(result, out, fallback & centre.isna(), lon_field, "no coordinates and no known oblast",
                      place if place is not None else values)
    keep = out.index
    fb = fallback.loc[keep]
    cx = x.loc[keep].where(~fb, centre.loc[keep].map(lambda p: p[0] if p else np.nan))
    cy = y.loc[keep].where(~fb, centre.loc[keep].map(lambda p: p[1] if p else np.nan))
    geometry = gpd.points_from_xy(cx.astype(float), cy.astype(float), crs=model.CRS)
    return gpd.GeoDataFrame(out.assign(location_precision=prec.loc[keep].where(~fb, "admin1")),
                            geometry=geometry, crs=model.CRS)


def strikes_frame(points: gpd.GeoDataFrame, extra: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """The canonical strikes columns (missing ones empty) plus ``extra``, in schema order."""
    cols = model.columns("strikes")
    out = points.copy()
    for c in cols:
        if c not in out.columns:
            out[c] = pd.NA
    return gpd.GeoDataFrame(out[[*cols, *extra, "geometry"]], geometry="geometry", crs=model.CRS)
