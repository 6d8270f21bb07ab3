"""Admin-1 names: one crosswalk so that 'Zaporizhia Oblast', 'Zaporizka oblast', 'UA-23' and
GeoNames' 'UA.26' all meet as 'Zaporizhzhia'. Theatre data lives in ``geo.theatres``."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from geo.theatres import ukraine

THEATRE = ukraine
_SUFFIXES = re.compile(r"\b(oblast|oblast'|obl|region|province|raion|область|обл)\b\.?", re.IGNORECASE)
_CODE = re.compile(r"[a-z]{2}[-.]\d{2}")  # ISO 3166-2 'UA-26' and GeoNames 'UA.26' are different units


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKC", str(name)).replace("’", "'").replace("ʼ", "'").lower()
    if _CODE.fullmatch(text.strip()):
        return text.strip()
    text = _SUFFIXES.sub(" ", text)
    return re.sub(r"[\s'\-_.]+", "", text)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, (iso, gn, _lon, _lat, variants) in THEATRE.ADMIN1.items():
        for name in (canon, iso, gn, *variants):
            out[_key(name)] = canon
    return out


def canonical_admin1(name: object) -> str | None:
    """The canonical admin-1 name for any known variant or code, else None."""
    if name is None or (isinstance(name, float) and name != name):
        return None
    text = str(name).strip()
    if not text:
        return None
    index = _index()
    key = _key(text)
    if key in index:
        return index[key]
    if key.endswith("city") and key[:-4] in index:  # "Kyiv city" style
        return index.get(key, index[key[:-4]])
    return None


def admin1_point(name: object) -> tuple[float, float] | None:
    """(lon, lat) of the administrative centre of an admin-1 unit, for admin1-precision points."""
    canon = canonical_admin1(name)
    if canon is None:
        return None
    _iso, _gn, lon, lat, _v = THEATRE.ADMIN1[canon]
    return lon, lat


def iso_code(name: object) -> str | None:
    """ISO 3166-2 code of an admin-1 unit."""
    canon = canonical_admin1(name)
    return THEATRE.ADMIN1[canon][0] if canon else None
