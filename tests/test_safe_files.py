"""Safe parsing of untrusted files: XXE, billion laughs, zip slip, symlinks, zip bombs, limits."""

from __future__ import annotations

import stat
import time
import zipfile
from pathlib import Path

import pytest
import shapely

from geo.importers import run_file
from geo.importers.base import Options
from geo.importers.generic import GenericImporter
from geo.importers.safe_files import ArchiveLimits, check_archive, check_rows, check_vertices, safe_extract
from geo.model import DataError

SECRET = "TOP-SECRET-7f3a9c"

XXE = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file://{secret}">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&xxe;</name>
<Point><coordinates>30.5,50.4</coordinates></Point></Placemark></Document></kml>
"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
""" + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10)) + """]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&lol9;</name>
<Point><coordinates>30.5,50.4</coordinates></Point></Placemark></Document></kml>
"""


def _import(path: Path, **options) -> object:
    return run_file(GenericImporter(), path, Options(**options))


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
@pytest.mark.parametrize("text", ["xxe", "laughs"])
def test_entities_are_refused_quickly_and_leak_nothing(tmp_path, secret, suffix, text):
    body = (XXE.format(secret=secret) if text == "xxe" else LAUGHS).encode()
    path = tmp_path / f"evil{suffix}"
    if suffix == ".kmz":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("doc.kml", body)
    else:
        path.write_bytes(body)
    start = time.perf_counter()
    with pytest.raises(DataError) as info:
        _import(path, layer="towns")
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "DOCTYPE or entities" in message and "evil" in message
    assert SECRET not in message and "lollol" not in message


def _zip_with(path: Path, name: str, data: bytes = b"x", mode: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        zf.writestr(info, data)
    return path


@pytest.mark.parametrize("name,mode,reason", [
    ("../evil.shp", None, "'..' in path"),
    ("a/../../evil.kml", None, "'..' in path"),
    ("/etc/evil.kml", None, "absolute path"),
    ("C:\\evil.kml", None, "absolute path"),
    ("link.kml", stat.S_IFLNK | 0o777, "symlink"),
])
def test_unsafe_entries_are_refused(tmp_path, name, mode, reason):
    path = _zip_with(tmp_path / "bad.zip", name, b"/etc/passwd" if mode else b"x", mode)
    with pytest.raises(DataError, match=reason):
        check_archive(path)
    with pytest.raises(DataError, match=reason):
        _import(path, layer="towns")
    assert not (tmp_path / "evil.shp").exists() and not (tmp_path.parent / "evil.shp").exists()


def test_zip_bomb_is_refused_by_ratio_and_by_total(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("doc.kml", "w") as out:
            block = b"\0" * (1 << 20)
            for _ in range(50):
                out.write(block)
    assert path.stat().st_size < 200_000
    start = time.perf_counter()
    with pytest.raises(DataError, match=r"compression ratio 1\d\d\d:1 is over 200:1 \(zip bomb\?\)"):
        _import(path.rename(tmp_path / "bomb.kmz"), layer="towns")
    assert time.perf_counter() - start < 1.0
    with pytest.raises(DataError, match="expands to over 10 MB"):
        check_archive(tmp_path / "bomb.kmz", ArchiveLimits(max_total=10_000_000, max_ratio=1e9))


def test_extraction_counts_real_bytes_and_stays_inside(tmp_path):
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sub/a.csv", "lon,lat\n1,2\n")
        zf.writestr("b.txt", "ignored")
    dest = tmp_path / "out"
    dest.mkdir()
    written = safe_extract(path, dest, suffixes=(".csv",))
    assert written == [(dest / "sub" / "a.csv").resolve()]
    assert sorted(p.name for p in dest.rglob("*")) == ["a.csv", "sub"]
    with pytest.raises(DataError, match="expands to over"):
        safe_extract(path, tmp_path / "out2", ArchiveLimits(max_total=5))


def test_row_and_vertex_limits():
    check_rows("f.csv", 10, limit=10)
    with pytest.raises(DataError, match="f.csv: over 10 rows"):
        check_rows("f.csv", 11, limit=10)
    with pytest.raises(DataError, match="g.kml: 5 vertices, over the per-file import limit of 4"):
        check_vertices("g.kml", [shapely.box(0, 0, 1, 1)], limit=4)


def test_size_limit_names_the_file(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("lon,lat,name\n" + "30,50,x\n" * 1000)
    with pytest.raises(DataError, match="big.csv: .* over the import size limit"):
        _import(path, max_bytes=1000)
