"""Property-based fuzzing of EVERY importer with generated malformed GeoJSON, CSV, KML and bytes.

Each generated file gets the name and extension its importer expects and goes through
``geo.importers.run_file``. The property: a run ends in stored rows plus rejects, with
``read == stored + rejected`` and every stored canonical row valid again under
``geo.model.normalize``, or in ONE :class:`geo.model.DataError` naming the file. Any other
exception fails the test. Crashes already reported to the lead are listed in
:data:`KNOWN_CRASHES`: the fuzz run tolerates exactly those (so CI stays green) and a
strict-xfail regression test per crash keeps each one visible until it is fixed.

Run ``python -m pytest -q tests/test_security_fuzz.py -s --hypothesis-show-statistics`` to see
how many examples ran and how they ended.
"""

from __future__ import annotations

import collections
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from geo import model
from geo.importers import BUILTIN, Options, get, run_file
from tests import security_strategies as hs

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES: collections.Counter = collections.Counter()
FUZZ = settings(deadline=None, database=DirectoryBasedExampleDatabase(str(ROOT / "build" / "hypothesis")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass(frozen=True)
class Target:
    """A file name an importer reads (its extension and, where the importer uses it, its name) and its format."""

    file: str
    fmt: str  # geojson | array | csv | tsv | kml | kmz | zip


TARGETS: dict[str, list[Target]] = {
    "deepstate": [Target("1700000000.geojson", "geojson")],
    "deepstate-mirror": [Target("deepstatemap_data_20240708.geojson", "geojson")],
    "isw": [Target("2024-05-21.geojson", "geojson")],
    "boundaries": [Target("geoBoundaries-UKR-ADM1.geojson", "geojson")],
    "bellingcat": [Target("civilian-harm.json", "array")],
    "geonames": [Target("cities15000.txt", "tsv")],
    "wikipedia-towns": [Target("Cities_and_towns_latest.csv", "csv")],
    "cir": [Target("events.csv", "csv")],
    "ucdp": [Target("ged-ukraine.csv", "csv")],
    "missiles": [Target("missile_attacks_daily.csv", "csv")],
    "alerts": [Target("official_data_en.csv", "csv")],
    "generic": [Target("upload.geojson", "geojson"), Target("upload.csv", "csv"), Target("upload.kml", "kml"),
                Target("upload.kmz", "kmz"), Target("upload.zip", "zip")],
}


# ---- crashes found by this file and reported to the lead --------------------------------------
@dataclass(frozen=True)
class Crash:
    """A known crash: which importers, which exception, and the reason shown by its xfail test."""

    importers: tuple[str, ...]
    exception: type[BaseException]
    message: str  # regex searched in str(exception)
    reason: str


KNOWN_CRASHES: tuple[Crash, ...] = ()  # none open; each one found is in FIXED_CASES below


def known_crash(name: str, exc: BaseException) -> Crash | None:
    """The KNOWN_CRASHES entry ``exc`` matches for importer ``name``, or None."""
    return next((c for c in KNOWN_CRASHES if name in c.importers and type(exc) is c.exception
                 and re.search(c.message, str(exc))), None)


def outcome(name: str, path: Path, tolerate_known: bool = True, options: Options | None = None) -> str:
    """Import ``path`` with importer ``name`` and check the property; returns 'stored', 'error' or 'known'."""
    try:
        result = run_file(get(name), path, options or Options())
    except model.DataError as exc:
        message = str(exc)
        assert path.name in message or path.stem in message, f"DataError does not name the file: {message}"
        return "error"
    except Exception as exc:  # noqa: BLE001 - the property under test: nothing else may escape
        if tolerate_known and known_crash(name, exc):
            return "known"
        raise
    assert result.read == result.stored + len(result.rejects)
    for layer in model.LAYERS:
        if layer in result.frames:
            again = model.normalize(layer, result.frames[layer], path.name)[1]
            assert again == [], f"{name} stored rows that fail validation: {again[:2]}"
    for reject in result.rejects:
        assert reject.file == path.name and reject.reason
    return "stored"


def run(name: str, target: Target, content: bytes, layer: str | None = None, test: str = "generated") -> str:
    """Write ``content`` as ``target.file`` in a fresh temporary folder and check the outcome."""
    with tempfile.TemporaryDirectory(prefix="frontline-fuzz-") as tmp:
        path = Path(tmp) / target.file
        path.write_bytes(content)
        result = outcome(name, path, options=Options(layer=layer))
    OUTCOMES[(test, f"{name}-{target.fmt}", result)] += 1
    return result


def content_for(draw, name: str, target: Target) -> bytes:
    """Generated bytes in ``target``'s format, with the importer's own field names to get past its checks."""
    if target.fmt == "geojson":
        return draw(hs.geojson_bytes(hs.PROPERTIES.get(name, hs.GENERIC_PROPERTIES)))
    if target.fmt == "array":
        return draw(hs.json_array_bytes(hs.PROPERTIES[name]))
    if target.fmt == "csv":
        return draw(hs.csv_bytes(hs.CSV_COLUMNS[name]))
    if target.fmt == "tsv":
        return draw(hs.geonames_bytes())
    if target.fmt == "zip":
        return draw(hs.zip_bytes())
    kml = draw(hs.kml_bytes())
    if target.fmt == "kml":
        return kml
    return kmz(kml, draw(st.sampled_from(["doc.kml", "layer.kml", "../evil.kml", "/abs.kml", "sub/doc.kml"])))


def kmz(kml: bytes, entry: str) -> bytes:
    """A KMZ archive holding ``kml`` as ``entry``."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(entry, kml)
    return buf.getvalue()


PAIRS = [(name, t) for name in BUILTIN for t in TARGETS[name]]


def test_every_importer_has_a_target():
    assert set(TARGETS) == set(BUILTIN)


@pytest.mark.parametrize(("name", "target"), PAIRS, ids=[f"{n}-{t.fmt}" for n, t in PAIRS])
@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_generated_input_ends_in_rows_and_rejects_or_one_error(name, target, data):
    content = content_for(data.draw, name, target)
    layer = data.draw(st.sampled_from([None, "control", "towns", "strikes"])) if name == "generic" else None
    run(name, target, content, layer)


@pytest.mark.parametrize(("name", "target"), PAIRS, ids=[f"{n}-{t.fmt}" for n, t in PAIRS])
@settings(FUZZ, max_examples=12)
@given(content=st.one_of(st.binary(max_size=300), hs.any_format_bytes()))
def test_random_bytes_and_other_formats_end_in_one_error_or_rows(name, target, content):
    run(name, target, content, test="bytes")


@settings(FUZZ, max_examples=25)
@given(doctype=st.sampled_from(hs.DOCTYPES), body=hs.kml_bytes())
def test_kml_with_any_doctype_is_refused(doctype, body):
    text = body.decode("utf-8", "replace")
    text = re.sub(r"^<\?xml[^>]*\?>", "", text)
    content = ('<?xml version="1.0"?>\n' + doctype + text).encode("utf-8")
    for target in (Target("upload.kml", "kml"), Target("upload.kmz", "kmz")):
        data = content if target.fmt == "kml" else kmz(content, "doc.kml")
        assert run("generic", target, data, test="doctype") == "error"


# ---- regression tests for the crashes reported to the lead ---------------------------------
def _fc(members: str = "", features: str = "[]") -> bytes:
    return ('{"type":"FeatureCollection",' + members + '"features":' + features + "}").encode()


POLY = '{"type":"Polygon","coordinates":[[[36,48],[37,48],[37,49],[36,48]]]}'
FIXED_CASES = [  # crashes this file found, since fixed where they were (so they must stay fixed)
    ("deepstate-mirror", "deepstatemap_data_20240708.geojson",  # geojson_features.py where(): empty part
     _fc(features='[{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":'
                  '[[[]],[[[21,44],[21,48],[21,44]]]]}}]')),
    ("generic", "blank-wkt.csv", b"name,wkt\nA,\nB,POINT (36 49)\n"),  # geo/importers/generic.py
    ("generic", "huge-count.csv", b"event_id,time,kind,lon,lat,killed\ne1,2022-03-01,drone,36.2,49.9,1e400\n"
                                  b"e2,2022-03-01,drone,36.2,49.9,1e300\n"),  # geo/model.py
    ("generic", "inner.zip", kmz(b"\x00\x01 not a shapefile", "x.shp")),  # generic.py: the zip is named
    ("deepstate", "1700000000.geojson", _fc('"note":1' + "0" * 4400 + ",")),  # geojson_features.py: > 4300 digits
    ("isw", "2024-05-21.geojson", _fc('"x":1' + "0" * 4400 + ",")),
    ("bellingcat", "b.json", ('[{"date":"2022-03-01","latitude":1' + "0" * 4400 + ',"longitude":30}]').encode()),
    ("deepstate", "snapshot.geojson", _fc('"id":1e400,')),  # deepstate.py: int(inf)
    ("isw", "2024-05-22.geojson", _fc(features='[{"type":"Feature","geometry":' + POLY + ',"properties":{"date":'
                                      '"2024-05-21","layer_type":"russian_claimed","area_km2":1' + "0" * 400 + "}}]")),
    ("generic", "upload.geojson", _fc(features='[{"type":"Feature","geometry":{"type":"Point","coordinates":'
                                      '[21,44]},"properties":{"name":[false,false]}}]')),  # generic.py: bool list
]


@pytest.mark.parametrize(("name", "file", "content"), FIXED_CASES, ids=[c[1] for c in FIXED_CASES])
def test_crash_found_by_fuzzing_stays_fixed(tmp_path, name, file, content):
    path = tmp_path / file
    path.write_bytes(content)
    assert outcome(name, path, tolerate_known=False) in ("stored", "error")


@pytest.fixture(scope="module", autouse=True)
def summary():
    """Print how many generated examples ran and how they ended (visible with -s)."""
    yield
    total = sum(OUTCOMES.values())
    lines = [f"{test:<9} {pair:<24} {res:<7} {c}" for (test, pair, res), c in sorted(OUTCOMES.items())]
    print(f"\nfuzz: {total} generated files imported\n" + "\n".join(lines))
