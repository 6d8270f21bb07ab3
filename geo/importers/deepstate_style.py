"""DeepStateMap's KML-style properties read as canonical meaning.

* **Zones**: the fill colour is the stable signal; the name (four naming eras: Ukrainian only,
  ``/// Taken back``/``Contested``/``Contensed``, ``/// Liberated``/``Unknown status``, and the
  ``/// geoJSON.status.*`` / ``geoJSON.territories.*`` i18n keys) decides where the colour does
  not, and picks out territory that is not Ukraine (Transnistria was ``#880e4f`` in April-May 2022).
* **Liberation dates** in labels (``Звільнено 25.03``, ``Taken back 27-31.03``,
  ``dismissed_at {{at:31.03 - 02.04}}``) become ``liberated_on 2022-03-25`` (or an ISO interval).
* **Markers**: kind from the ``{icon=...}`` tag of the description (or the name), and for
  ``arrow_N`` icons a compass bearing.
"""

from __future__ import annotations

import datetime as dt
import re

FOREIGN = "foreign"  # territory of another country: out of the theatre

FILL_STATUS: dict[str, str] = {
    "#a52714": "occupied",
    "#880e4f": "occupied_before",
    "#000000": "occupied_before",  # April-May 2022 colour of Crimea / ORDLO / Tuzla
    "#bcaaa4": "contested",
    "#bdbdbd": "contested",
    "#0f9d58": "liberated",
    "#0288d1": "liberated",
    "#01579b": "defender_held_abroad",  # Kursk oblast zones held by Ukraine, from Aug 2024
    "#ff5252": FOREIGN,  # political commentary: Transnistria, Abkhazia, Karelia, Kurils...
}

# Name rules, first match wins; searched in the lower-cased, NBSP-free name.
NAME_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((status, re.compile(p)) for status, p in (
    (FOREIGN, r"transnistri|придністров|abkhaz|абхаз|petsamo|петсамо|salla|салла|karelia|карелі|estonia|естоні"
              r"|latvia|латві|prussia|пруссі|kuril|курил|ічкері|ichkeri|tskhinval|цхінвал|pechor|печор"
              r"|geojson\.territories\.(?!crimea|ordlo|tuzla)"),
    ("occupied_before", r"крим|crimea|ордло|cadr|calr|тузла|tuzla|geojson\.territories\.(crimea|ordlo|tuzla)"),
    ("contested", r"під питанням|contested|contensed|невідом|unknown|сіра зона|gr[ae]y zone|geojson\.status\.unknown"),
    ("liberated", r"звільнено|liberated|taken back|recaptured|dismissed|під контролем зсу|орки відсутні"),
    ("occupied", r"окупован|occupied|зайнят[іи] ворогом|geojson\.status\.occupied"),
))


def fill_status(fill: object) -> str | None:
    """The status a fill colour stands for, or None for an unknown colour."""
    return FILL_STATUS.get(str(fill).strip().lower()) if fill else None


def name_status(name: str) -> str | None:
    """The status a zone's name states, or None when it states none (e.g. 'Зміїний')."""
    text = name.lower()
    return next((status for status, rule in NAME_RULES if rule.search(text)), None)


def zone_status(fill: object, name: str) -> tuple[str | None, str]:
    """(status, remark): foreign names override the colour; otherwise the colour wins over the name.

    ``remark`` says when colour and name disagree (kept in the row's note), else ''.
    """
    by_fill, by_name = fill_status(fill), name_status(name)
    if by_name == FOREIGN:
        return FOREIGN, ""
    if by_fill is None:
        return by_name, ""
    agree = by_name in (None, by_fill) or (by_fill, by_name) == ("defender_held_abroad", "liberated")
    remark = "" if agree else f"name suggests {by_name}"
    return by_fill, remark


# ---- liberation dates ---------------------------------------------------------------
FIRST_YEAR = 2022  # DeepState's dated labels date the full-scale war's liberations
_AT = re.compile(r"\{\{\s*at\s*:\s*([^}]*)\}\}")
_RANGE = re.compile(r"(?<![\d.])(\d{1,2})(?:\.(\d{1,2}))?(?:\.(\d{4}))?\s*-\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?(?!\d)")
_SINGLE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?(?!\.?\d)")


def _day(day: str, month: str, year: int) -> dt.date | None:
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        return None


def _infer_year(day: str, month: str, as_of: dt.date) -> int | None:
    """The earliest year from FIRST_YEAR that puts day.month on or before ``as_of``.

    DeepState keeps a dated label unchanged for years (``{{at:19.09}}`` still marks Bilohorivka,
    retaken 19 Sep 2022, in 2025 snapshots), so the latest such year would be wrong.
    """
    for year in range(FIRST_YEAR, as_of.year + 1):
        d = _day(day, month, year)
        if d is not None and d <= as_of:
            return year
    return None


def liberation_date(name: str, as_of: dt.date) -> str | None:
    """'2022-03-25' or '2022-03-27/2022-03-31' from a liberated zone's name, or None.

    The i18n ``{{at:...}}`` value is preferred, then the first (Ukrainian) part of the name.
    """
    at = _AT.search(name)
    text = at.group(1) if at else name.split("///")[0]
    m = _RANGE.search(text)
    if m:
        d1, m1, y1, d2, m2, y2 = m.groups()
        m1 = m1 or m2
        year = int(y2) if y2 else _infer_year(d2, m2, as_of)
        if year is None:
            return None
        end = _day(d2, m2, year)
        start = _day(d1, m1, int(y1) if y1 else (year if int(m1) <= int(m2) else year - 1))
        if start is None or end is None:
            return None
        return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"
    m = _SINGLE.search(text)
    if m:
        day, month, y = m.groups()
        year = int(y) if y else _infer_year(day, month, as_of)
        found = _day(day, month, year) if year else None
        return found.isoformat() if found else None
    return None


# ---- point markers ------------------------------------------------------------------
ICON_KIND: dict[str, str] = {
    "enemy": "unit",
    "eblorussia": "unit",
    "iblorussia": "unit",
    "headquarter": "hq",
    "airport": "airfield",
    "russiacapital": "capital",
    "ukrainecapital": "capital",
    "kerchbridge": "landmark",
    "clown": "political",
}
_ICON = re.compile(r"\{icon=([a-z0-9_]+)[^}]*\}", re.IGNORECASE)
_ARROW = re.compile(r"^arrow_(\d{1,2})$")
_NAME_KIND = (
    ("airfield", re.compile(r"аеродром|аеропорт|авіабаза|вертолітна база|airfield|airport|air ?base|helicopter",
                            re.IGNORECASE)),
    ("ship", re.compile(r"крейсер|cruiser", re.IGNORECASE)),
)


def icon_of(description: str) -> str:
    """The ``{icon=...}`` name of a point's description ('arrow_12', 'enemy'...), or ''."""
    m = _ICON.search(description or "")
    return m.group(1).lower() if m else ""


def arrow_bearing(icon: str) -> float | None:
    """Compass bearing (degrees clockwise from north) of an ``arrow_N`` icon, else None.

    DeepState's sixteen arrow icons step clockwise by 22.5 degrees from ``arrow_1`` = north
    (inferred from known attack axes: ``arrow_7`` from Izium towards Sloviansk points SE,
    ``arrow_12`` at Bakhmut and Marinka WSW, ``arrow_1`` towards Kostiantynivka in 2025 N).
    """
    m = _ARROW.match(icon)
    if not m or not 1 <= int(m.group(1)) <= 16:
        return None
    return (int(m.group(1)) - 1) * 22.5


def marker_kind(icon: str, name: str) -> str:
    """unit, hq, airfield, arrow, capital, landmark, political, ship or other."""
    if _ARROW.match(icon):
        return "arrow"
    if icon in ICON_KIND:
        return ICON_KIND[icon]
    return next((kind for kind, rule in _NAME_KIND if rule.search(name)), "other")


def strip_icon(description: str) -> str:
    """The description without its ``{icon=...}`` tag and with ``<br>`` as line breaks."""
    text = _ICON.sub("", description or "")
    return re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE).replace("\u00a0", " ").strip()
