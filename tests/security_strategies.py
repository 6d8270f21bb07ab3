"""Hypothesis strategies for hostile input files: malformed GeoJSON, CSV, GeoNames TSV, KML and archives.

Values are biased towards what the importers look for (their column and property names,
dates, theatre coordinates, oblast names, status colours) so generated files get past the
first checks and reach the deep code, then mixed with garbage: NaN, infinities, numbers too
large for a float or an int, wrong types, nested objects, bad quoting, wrong encodings,
truncation, DOCTYPEs and unsafe archive entry names. Used by ``tests/test_security_fuzz.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from geo.importers import alerts, cir, missiles, ucdp


class Raw(str):
    """A JSON token written as is (numbers json.dumps cannot or will not write)."""


RAW_NUMBERS = ("1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" + "0" * 400, "1e-400", "-0", "0.1e1", "1e300",
               "9.3e18", "123456789012345678901234567890", "1" + "0" * 5000)
HOSTILE_TEXT = ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">', "javascript:alert(1)",
                "{{7*7}}", "${7*7}", "=cmd|' /C calc'!A0", "\u202eevil", "\x00", "line\nbreak", '"quoted"', "a,b",
                "'", "\\", "NBSP\u00a0", "\ufffd", "Ж" * 50, "")
DATES = ("2022-03-01", "2022-03-01T10:00:00Z", "2022-03-01 10:00", "03/01/2022 10:00", "3/1/2022 1:00:00 PM",
         "2022-03-01T10:00:00+03:00", "1 March 2022", "4 Jan 2024", "17 August 2024 00h53 UTC", "2202-02-02",
         "1900-01-01", "2013-12-31", "2100-01-01", "9999-12-31", "2022-13-45", "2022-02-30", "0", "-1", "now",
         "1700000000", "")
OBLASTS = ("Kharkiv", "Kharkiv Oblast", "Donetsk", "Donestk Oblast", "Kyiv City", "Kyiv", "Crimea", "Sevastopol",
           "Zaporizhzhia", "Luhansk region", "Odesa", "UA.26", "UA-63", "Ukraine", "Russia", "Belgorod", "south",
           "Kharkiv and Kyiv", "['Kharkiv', 'Kyiv']", "['Kharkiv'", "[1, 2]", "[[[[", "")
KINDS = ("missile", "drone", "Missile", "glide-bomb", "airstrike", "other", "nuclear", "occupied", "contested",
         "liberated", "occupied_before", "city", "capital", "oblast", "raion", "hromada", "minute", "day", "exact",
         "admin1", "", "NONE")
WKT = ("POINT (36.2 49.9)", "POINT (49.9 36.2)", "POINT EMPTY", "POLYGON ((36 48, 37 48, 37 49, 36 48))",
       "POLYGON ((36 48, 37 49, 37 48, 36 49, 36 48))", "POLYGON ((36 48, 36 48, 36 48, 36 48))",
       "LINESTRING (36 48, 37 49)", "POINT (nan nan)", "POINT (1e400 1)", "POLYGON ((0 0, 1 1))", "GARBAGE (1 2)",
       "POINT Z (36 48 1)", "")
COLOURS = ("#a52714", "#0f9d58", "#0288d1", "#01579b", "#bcaaa4", "#bdbdbd", "#880e4f", "#000000", "#ff5252",
           "#zzzzzz", "red", "", "#A52714")
DEEPSTATE_NAMES = ("Окуповано /// Occupied", "Звільнено 25.03", "Під питанням /// Contensed",
                   "Статус невідомий /// Unknown status /// geoJSON.status.unknown",
                   "Звільнено /// Liberated /// geoJSON.status.dismissed_at {{at:19.09}}", "Transnistria",
                   "geoJSON.territories.other", "Taken back 25.03", "{icon=enemy}")

# ---- values -----------------------------------------------------------------------------
raw_numbers = st.integers(0, len(RAW_NUMBERS) - 1).map(lambda i: Raw(RAW_NUMBERS[i]))  # short repr in statistics
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=12), raw_numbers, st.sampled_from(HOSTILE_TEXT))
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
    st.text(max_size=6), kids, max_size=3), max_leaves=8)
lons = st.floats(21.0, 41.0)
lats = st.floats(43.5, 53.0)
numbers = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    raw_numbers)


def to_json(value: object) -> str:
    """JSON text of ``value``; Raw tokens are written unquoted, NaN/Infinity as Python writes them."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def text_like(*plausible: tuple[str, ...]) -> st.SearchStrategy:
    """Mostly a plausible value for the field, sometimes any text or a hostile string."""
    choices = [st.sampled_from(p) for p in plausible if p]
    return st.one_of(*choices, *choices, st.text(max_size=15), st.sampled_from(HOSTILE_TEXT))


def coordinate_text() -> st.SearchStrategy:
    return st.one_of(lons.map(repr), lats.map(repr), numbers.map(str), st.sampled_from(("", "nan", "inf", "1,5",
                                                                                          "48.5N", "1e400")))


# ---- GeoJSON ----------------------------------------------------------------------------
good_position = st.one_of(st.tuples(lons, lats).map(list), st.tuples(lons, lats, st.just(0)).map(list))
position = st.one_of(good_position, st.lists(numbers, max_size=4), st.lists(lons, max_size=1), json_values)


@st.composite
def ring(draw) -> list:
    """A ring of theatre coordinates: mostly closed, sometimes open, short or with one odd position."""
    points = draw(st.lists(st.tuples(lons, lats).map(list), min_size=0, max_size=6))
    if points and draw(st.integers(0, 4)) != 4:
        points.append(points[0])
    if draw(st.integers(0, 9)) == 9:
        points.append(draw(position))
    return points


def geometry_dicts() -> tuple[st.SearchStrategy, st.SearchStrategy]:
    """(well-formed geometry objects, valid or not as geometries; the same mixed with garbage objects)."""
    good = st.one_of(
        st.builds(lambda c: {"type": "Point", "coordinates": c}, good_position),
        st.builds(lambda c: {"type": "LineString", "coordinates": c}, st.lists(good_position, min_size=2,
                                                                              max_size=4)),
        st.builds(lambda r: {"type": "Polygon", "coordinates": r}, st.lists(ring(), min_size=1, max_size=3)),
        st.builds(lambda p: {"type": "MultiPolygon", "coordinates": p},
                  st.lists(st.lists(ring(), min_size=1, max_size=2), max_size=3)),
    )
    odd = st.one_of(
        st.builds(lambda c: {"type": "Point", "coordinates": c}, position),
        st.builds(lambda c: {"type": "LineString", "coordinates": c}, st.lists(position, max_size=4)),
        st.builds(lambda t, c: {"type": t, "coordinates": c},
                  st.sampled_from(["Circle", "", "polygon", "MultiPoint", "Feature"]), json_values),
    )
    collection = st.builds(lambda g: {"type": "GeometryCollection", "geometries": g}, st.lists(good, max_size=3))
    return st.one_of(good, collection, st.none()), st.one_of(good, good, collection, st.none(), odd, json_values)


def feature_props(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={**fields, "extra": json_values})


GOOD_GEOMETRY, ANY_GEOMETRY = geometry_dicts()


@st.composite
def feature(draw, fields: dict[str, st.SearchStrategy], messy: bool) -> object:
    """A Feature with the importer's properties; ``messy`` features may be garbage objects."""
    kind = draw(st.integers(0, 19)) if messy else 0
    if kind == 19:
        return draw(json_values)
    props = draw(st.one_of(feature_props(fields), feature_props(fields), st.none(), json_values))
    out = {"type": "Feature" if kind < 18 else draw(st.sampled_from(["feature", "Point", ""])),
           "geometry": draw(ANY_GEOMETRY if messy else GOOD_GEOMETRY), "properties": props}
    if kind == 17:
        del out["geometry"]
    return out


@st.composite
def geojson_bytes(draw, fields: dict[str, st.SearchStrategy]) -> bytes:
    """A FeatureCollection (mostly well-formed structure, garbage inside) as bytes."""
    members = draw(st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.integers(1_600_000_000, 1_800_000_000), numbers, json_values),
        "name": st.sampled_from(["deepstatemap_data_20250701", "x", "20251399"]),
        "crs": st.sampled_from([{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                                {"type": "name", "properties": {"name": "EPSG:3857"}}, "garbage"]),
        "datetime": st.sampled_from(DATES)}))
    messy = draw(st.integers(0, 9)) >= 7  # else only the values are hostile, so the file reaches the deep code
    doc: object = {"type": "FeatureCollection", **members,
                   "features": draw(st.lists(feature(fields, messy), min_size=0 if messy else 1, max_size=6))}
    shape = draw(st.integers(0, 19)) if messy else 0
    if shape == 19:
        doc = draw(json_values)
    elif shape == 18:
        doc = {"map": doc, "id": draw(numbers)}
    elif shape == 17:
        doc = {"type": "FeatureCollection", "features": draw(json_values)}
    return encode(draw, to_json(doc))


@st.composite
def json_array_bytes(draw, fields: dict[str, st.SearchStrategy]) -> bytes:
    """A JSON array of objects (Bellingcat's export shape) with garbage inside."""
    items = draw(st.lists(st.one_of(feature_props(fields), feature_props(fields), json_values), max_size=6))
    return encode(draw, to_json(items if draw(st.integers(0, 9)) != 9 else draw(json_values)))


def encode(draw, text: str) -> bytes:
    """``text`` as bytes: mostly UTF-8, sometimes with a BOM, another encoding, truncated or with junk appended.

    Hypothesis draws 0 far more often than other values, so 0 is the ordinary path here and above.
    """
    how = draw(st.integers(0, 19))
    if how == 19:
        return text.encode("utf-16")
    if how == 18:
        return text.encode("cp1252", "replace")
    if how == 17:
        return text.encode("utf-8")[: draw(st.integers(0, max(0, len(text) - 1)))]
    if how == 16:
        return text.encode("utf-8") + draw(st.binary(min_size=1, max_size=8))
    return (b"\xef\xbb\xbf" if how == 15 else b"") + text.encode("utf-8", "surrogatepass")


PROPERTIES: dict[str, dict[str, st.SearchStrategy]] = {
    "deepstate": {"name": text_like(DEEPSTATE_NAMES), "fill": text_like(COLOURS),
                  "description": text_like(("{icon=enemy}", "{icon=airport}", "{icon=arrow_12}", "{icon=")),
                  "styleMapHash": json_values},
    "deepstate-mirror": {},
    "isw": {"date": text_like(DATES), "area_km2": numbers,
            "layer_type": text_like(("ukraine_control_map", "russian_advances", "kursk_russian_advances",
                                     "russian_claimed", "ukrainian_counteroffensives", "unknown"))},
    "boundaries": {"shapeType": text_like(("ADM1", "ADM2", "adm1", "ADM3")), "shapeName": text_like(OBLASTS),
                   "shapeISO": text_like(("UA-63", "UA-43", "UA-30", "UA-XX")), "shapeID": st.text(max_size=8)},
    "bellingcat": {"date": text_like(DATES), "location": text_like(OBLASTS), "latitude": st.one_of(lats, numbers,
                   coordinate_text()), "longitude": st.one_of(lons, numbers, coordinate_text()),
                   "description": text_like(("2 people killed by a Shahed drone", "no casualties", "missile strike")),
                   "sources": st.one_of(st.lists(text_like(("https://x.org/a", "srcHidden"))), json_values)},
}
GENERIC_FIELDS = ("name", "population", "town_id", "time", "date", "kind", "status", "as_of", "source", "killed",
                  "injured", "event_id", "admin1", "description", "source_url", "location_precision",
                  "time_precision", "label", "note")


def generic_value(field: str) -> st.SearchStrategy:
    """A property for the generic importer; GDAL refuses a whole file over one 1e400, so those stay rare."""
    plain = st.one_of(st.integers(-10**6, 10**12), st.floats(allow_nan=True, allow_infinity=True))
    if field in ("time", "date", "as_of"):
        return st.one_of(text_like(DATES), text_like(DATES), plain)
    if field in ("population", "killed", "injured"):
        return st.one_of(plain, text_like(("3", "-1", "2.5", "1,000", "")))
    if field in ("kind", "status", "location_precision", "time_precision"):
        return text_like(KINDS)
    if field == "admin1":
        return text_like(OBLASTS)
    return st.one_of(text_like(HOSTILE_TEXT), text_like(HOSTILE_TEXT), json_values)


GENERIC_PROPERTIES = {f: generic_value(f) for f in GENERIC_FIELDS}
PROPERTIES["generic"] = GENERIC_PROPERTIES

# ---- CSV --------------------------------------------------------------------------------
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "cir": cir.COLUMNS,
    "ucdp": ucdp.COLUMNS,
    "missiles": (*missiles.COLUMNS, "affected region", "category"),
    "alerts": (*alerts.OFFICIAL, *alerts.VOLUNTEER, "naive", "source"),
    "wikipedia-towns": ("Name", "Population", "Held by", "source", "As of", "More information", "sourceLink",
                        "update", "Lat", "Lon"),
    "generic": ("lon", "lat", "longitude", "latitude", "x", "y", "wkt", *GENERIC_FIELDS),
}
_COUNTS = ("killed", "injured", "best", "low", "high", "deaths_civilians", "launched", "destroyed", "population",
           "year", "entry", "id", "where_prec", "type_of_violence")


def cell(column: str) -> st.SearchStrategy:
    """A CSV cell for ``column``: a plausible value of that kind of column, or garbage."""
    c = column.lower()
    if c in ("lon", "lat", "longitude", "latitude", "x", "y"):
        plausible = coordinate_text()
    elif "date" in c or "time" in c or c in ("update", "as of", "started_at", "finished_at", "as_of"):
        plausible = text_like(DATES)
    elif c in _COUNTS:
        plausible = text_like(("0", "3", "-2", "2.5", "1,000", "1e400", "1e300", "nan", "2022", "1", "6", "7"))
    elif c in ("province", "adm_1", "oblast", "region", "admin1", "target", "affected region", "raion", "country",
               "where_coordinates", "location"):
        plausible = text_like(OBLASTS)
    elif c in ("kind", "status", "level", "held by", "event_group", "category", "model"):
        plausible = text_like(KINDS, ("Russia", "Ukraine", "Gray zone", "Civilian Casualty March 2022", "uav",
                                      "Shahed-136/131", "X-101/X-555 and Kalibr", "cruise missile"))
    elif c == "wkt":
        plausible = text_like(WKT)
    else:
        plausible = text_like(HOSTILE_TEXT, ("https://example.org/a", "Shelling of a school, 2 killed"))
    return st.one_of(plausible, plausible, st.text(max_size=10))


@st.composite
def header(draw, columns: tuple[str, ...]) -> list[str]:
    how = draw(st.integers(0, 5))
    if how <= 2:
        return list(columns) if how < 2 else draw(st.permutations(columns))
    if how == 3:
        return draw(st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns)))  # duplicates possible
    return draw(st.lists(st.one_of(st.sampled_from(columns), st.text(max_size=6)), max_size=8))


@st.composite
def csv_bytes(draw, columns: tuple[str, ...]) -> bytes:
    """A CSV file with (mostly) the importer's columns, plausible-or-garbage cells and random quoting."""
    head = draw(header(columns))
    rows = draw(st.lists(st.tuples(*(cell(c) for c in head)) if head else st.just(()), max_size=6))
    if rows and draw(st.integers(0, 6)) == 6:
        rows[-1] = rows[-1][: draw(st.integers(0, len(rows[-1])))]  # a short row
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.integers(0, 4)) == 4:  # naive joining: unbalanced quotes, embedded commas and newlines
        text = end.join(",".join(r) for r in [head, *rows])
    else:
        buf = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        csv.writer(buf, quoting=quoting, lineterminator=end).writerows([head, *rows])
        text = buf.getvalue()
    return encode(draw, text)


GEONAMES_CODES = ("PPLC", "PPLA", "PPLA2", "PPL", "")


@st.composite
def geonames_bytes(draw) -> bytes:
    """A GeoNames ``cities`` dump: 19 tab-separated columns per line (sometimes not), no header."""
    def line() -> st.SearchStrategy:
        fields = [st.integers(0, 10**7).map(str), text_like(("Kharkiv", "Kyiv")), text_like(("Kharkiv",)),
                  text_like(("Харків,Харьков,Kharkiv", "Київ,Kiev", "")), coordinate_text(), coordinate_text(),
                  st.just("P"), text_like(GEONAMES_CODES), text_like(("UA", "RU", "")), st.just(""),
                  text_like(("13", "26", "12", "xx")), st.just(""), st.just(""), st.just(""),
                  text_like(("1433886", "0", "-5", "many")), st.just(""), st.just("152"),
                  st.just("Europe/Kyiv"), text_like(DATES)]
        return st.tuples(*fields).map("\t".join)

    lines = draw(st.lists(st.one_of(line(), line(), st.text(max_size=20)), max_size=6))
    if draw(st.integers(0, 9)) == 9:
        lines.insert(0, "#region_code\tname\tasciiname\tgeonameId")
    return encode(draw, "\n".join(lines) + draw(st.sampled_from(["\n", ""])))


# ---- KML --------------------------------------------------------------------------------
DOCTYPES = (
    '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    '<!DOCTYPE kml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>',
    '<!DOCTYPE kml SYSTEM "http://127.0.0.1:9/kml.dtd">',
    "<!DOCTYPE kml>",
)
COORD_TOKENS = ("1e400,1", "nan,nan", "30", ",", "a,b", "30,48,0,1", "30;48", "inf,-inf", "-200,100", "1,2,3")


@st.composite
def coordinates_text(draw) -> str:
    good = draw(st.lists(st.tuples(lons, lats).map(lambda p: f"{p[0]},{p[1]}"), max_size=6))
    if good and draw(st.booleans()):
        good.append(good[0])
    if draw(st.integers(0, 3)) == 3:
        good.insert(draw(st.integers(0, len(good))), draw(st.sampled_from(COORD_TOKENS)))
    return draw(st.sampled_from([" ", "\n", "\t", "  "])).join(good)


def kml_geometry() -> st.SearchStrategy:
    coords = coordinates_text().map(lambda t: f"<coordinates>{escape(t)}</coordinates>")
    ring_ = coords.map(lambda c: f"<LinearRing>{c}</LinearRing>")
    base = st.one_of(
        coords.map(lambda c: f"<Point>{c}</Point>"),
        coords.map(lambda c: f"<LineString>{c}</LineString>"),
        ring_,
        st.tuples(ring_, st.lists(ring_, max_size=2)).map(lambda t: "<Polygon><outerBoundaryIs>" + t[0] +
                                                           "</outerBoundaryIs>" + "".join(
                                                               f"<innerBoundaryIs>{r}</innerBoundaryIs>" for r in t[1])
                                                           + "</Polygon>"),
        st.sampled_from(["<Polygon></Polygon>", "<Point/>", "<Model><Link/></Model>", "<gx:Track/>",
                         "<Polygon><outerBoundaryIs></outerBoundaryIs></Polygon>"]),
    )
    return st.recursive(base, lambda kids: st.lists(kids, max_size=3).map(
        lambda parts: "<MultiGeometry>" + "".join(parts) + "</MultiGeometry>"), max_leaves=4)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd]")
BREAKERS = ("&", "<", "\x00", "&unknown;", "]]>", "<a>", "</Document>", "\x1b")


def xml_text() -> st.SearchStrategy:
    """Well-formed element text: escaped, or CDATA holding markup (``kml_bytes`` breaks documents on purpose)."""
    raw = text_like(HOSTILE_TEXT, DATES, OBLASTS).map(lambda t: _NOT_XML.sub("", t))
    return st.one_of(raw.map(escape), raw.map(escape), raw.map(lambda t: f"<![CDATA[{t.replace(']]>', '')}]]>"))


@st.composite
def placemark(draw) -> str:
    parts = []
    for tag in ("name", "description"):
        if draw(st.booleans()):
            parts.append(f"<{tag}>{draw(xml_text())}</{tag}>")
    if draw(st.booleans()):
        parts.append(f"<TimeStamp><when>{draw(xml_text())}</when></TimeStamp>")
    if draw(st.integers(0, 3)) == 0:
        parts.append(f"<TimeSpan><begin>{draw(xml_text())}</begin><end>{draw(xml_text())}</end></TimeSpan>")
    data = draw(st.lists(st.tuples(st.sampled_from(GENERIC_FIELDS + ("", "lon")), xml_text()), max_size=3))
    if data:
        parts.append("<ExtendedData>" + "".join(f'<Data name="{escape(k, {chr(34): "&quot;"})}"><value>{v}'
                                                "</value></Data>" for k, v in data) + "</ExtendedData>")
    parts.extend(draw(st.lists(kml_geometry(), max_size=2)))
    return "<Placemark>" + "".join(draw(st.permutations(parts))) + "</Placemark>"


def random_tree() -> st.SearchStrategy:
    tags = st.sampled_from(["Folder", "Document", "Placemark", "name", "Point", "coordinates", "Style", "x", "kml"])
    return st.recursive(xml_text(), lambda kids: st.tuples(tags, st.lists(kids, max_size=3)).map(
        lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0]}>"), max_leaves=6)


@st.composite
def kml_bytes(draw) -> bytes:
    """A KML document: placemarks (sometimes in a Folder), random elements, sometimes truncated or re-encoded."""
    body = "".join(draw(st.lists(st.one_of(placemark(), placemark(), random_tree()), max_size=5)))
    if draw(st.booleans()):
        body = f"<Folder><name>{draw(xml_text())}</name>{body}</Folder>"
    ns = draw(st.sampled_from(['xmlns="http://www.opengis.net/kml/2.2"', "", 'xmlns="urn:x"']))
    text = f'<?xml version="1.0" encoding="UTF-8"?><kml {ns}><Document>{body}</Document></kml>'
    if draw(st.integers(0, 19)) == 19:
        text = text.replace("?>", "?>" + draw(st.sampled_from(DOCTYPES)), 1)
    if draw(st.integers(0, 7)) == 7:  # not well-formed: a raw '&', '<', NUL, ... somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(BREAKERS)) + text[at:]
    return encode(draw, text)


# ---- anything ---------------------------------------------------------------------------
MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"%PDF", b"\x89PNG", b"SQLite format 3\x00", b"PAR1", b"\x00\x00\x27\x0a")


@st.composite
def zip_bytes(draw) -> bytes:
    """A zip of 0-3 entries with unsafe or odd names holding CSV/GeoJSON/KML/garbage."""
    buf = io.BytesIO()
    names = st.sampled_from(["data.csv", "data.geojson", "doc.kml", "../up.csv", "/abs.geojson", "a/b.kml",
                             "x.shp", "._data.csv", "C:\\evil.csv", "data.gpkg"])
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in draw(st.lists(names, max_size=3, unique=True)):
            payload = draw(st.one_of(csv_bytes(CSV_COLUMNS["generic"]), geojson_bytes(GENERIC_PROPERTIES),
                                     kml_bytes(), st.binary(max_size=50)))
            zf.writestr(name, payload)
    return buf.getvalue()


def any_format_bytes() -> st.SearchStrategy:
    """Bytes of some format, whatever the file's extension says: cross-format and magic-number garbage."""
    return st.one_of(geojson_bytes(GENERIC_PROPERTIES), csv_bytes(CSV_COLUMNS["generic"]), kml_bytes(), zip_bytes(),
                     st.tuples(st.sampled_from(MAGIC), st.binary(max_size=60)).map(lambda t: t[0] + t[1]))


__all__ = ["CSV_COLUMNS", "DOCTYPES", "GENERIC_PROPERTIES", "PROPERTIES", "any_format_bytes",
           "csv_bytes", "geojson_bytes", "geonames_bytes", "json_array_bytes", "kml_bytes", "zip_bytes"]
