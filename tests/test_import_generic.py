"""The generic importer: every format, mapping, layer guessing, and each bad input's sentence."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import model
from geo.importers import get, run_file
from geo.importers.base import Options
from geo.importers.generic import GenericImporter
from geo.model import DataError

ROOT = Path(__file__).resolve().parent.parent
KML_NS = 'xmlns="http://www.opengis.net/kml/2.2"'


def _import(path: Path, **options):
    return run_file(GenericImporter(), path, Options(**options))


def _geojson(path: Path, features: list[tuple[dict, dict | None]], extra: dict | None = None) -> Path:
    fc = {"type": "FeatureCollection", **(extra or {}),
          "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]}
    path.write_text(json.dumps(fc), encoding="utf-8")
    return path


def _square(x: float, y: float, d: float = 1.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def _point(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


def _reasons(result) -> list[tuple[object, str, str]]:
    return sorted((r.row, r.field, r.reason) for r in result.rejects)


# ---- formats ---------------------------------------------------------------------------
def test_geojson_polygons_guess_control(tmp_path):
    path = _geojson(tmp_path / "zones.geojson", [
        ({"source": "me", "as_of": "2024-05-01T12:00:00Z", "status": "Occupied", "label": "A"}, _square(36, 48)),
        ({"source": "me", "as_of": "2024-05-01T12:00:00Z", "status": "grey", "label": "B"}, _square(37, 48)),
    ])
    result = _import(path)
    zones = result.frames["control"]
    assert list(zones["status"]) == ["occupied"]  # tidied to lower case; 'grey' is no status
    assert zones["as_of"].iloc[0] == pd.Timestamp("2024-05-01T12:00", tz="UTC")
    assert _reasons(result) == [(1, "status", f"must be one of {', '.join(model.STATUSES)}")]
    assert zones.geometry.iloc[0].equals(box(36, 48, 37, 49))


def test_geopackage_points_guess_towns_rows_named_by_fid(tmp_path):
    towns = gpd.GeoDataFrame({"name": ["Izium", "Kupiansk", ""], "population": [45000, 26000, 3]},
                             geometry=[Point(37.26, 49.21), Point(37.61, 49.71), Point(37.0, 49.0)], crs="EPSG:4326")
    towns.to_file(tmp_path / "towns.gpkg", layer="places", driver="GPKG")
    result = _import(tmp_path / "towns.gpkg")
    out = result.frames["towns"]
    assert list(out["name"]) == ["Izium", "Kupiansk"] and list(out["population"]) == [45000, 26000]
    assert list(out["town_id"]) == ["towns:1", "towns:2"] and set(out["source"]) == {"towns"}
    assert _reasons(result) == [(3, "name", "required value is missing")]  # GeoPackage fid 3


def test_geopackage_with_several_layers_needs_a_named_one(tmp_path):
    path = tmp_path / "multi.gpkg"
    frame = gpd.GeoDataFrame({"name": ["A"], "population": [1]}, geometry=[Point(30, 50)], crs="EPSG:4326")
    frame.to_file(path, layer="towns", driver="GPKG")
    frame.to_file(path, layer="other", driver="GPKG")
    assert len(_import(path, layer="towns").frames["towns"]) == 1
    with pytest.raises(DataError, match=r"multi.gpkg: holds 2 layers \(towns, other\)"):
        _import(path)


def test_zipped_shapefile_is_reprojected_and_guessed_strikes(tmp_path):
    strikes = gpd.GeoDataFrame(
        {"event_id": ["e1", "e2"], "time": ["2024-03-01T04:00:00Z", "2024-03-02"], "kind": ["drone", "missile"]},
        geometry=[Point(30.52, 50.45), Point(36.23, 49.99)], crs="EPSG:4326").to_crs("EPSG:3857")
    strikes.to_file(tmp_path / "hits.shp")
    path = tmp_path / "hits.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for part in tmp_path.glob("hits.*"):
            if part.suffix != ".zip":
                zf.write(part, f"folder/{part.name}")
    result = _import(path)
    out = result.frames["strikes"]
    assert list(out["event_id"]) == ["e1", "e2"] and list(out["kind"]) == ["drone", "missile"]
    assert out.geometry.iloc[1].distance(Point(36.23, 49.99)) < 1e-6
    assert out["time"].iloc[0] == pd.Timestamp("2024-03-01T04:00", tz="UTC")
    assert {f.split("/")[-1] for f in out["import_file"]} == {"hits.zip"} and not result.rejects


def test_zip_with_several_datasets_takes_the_layers_one(tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("towns.csv", "name,lon,lat\nKyiv,30.52,50.45\n")
        zf.writestr("strikes.csv", "event_id,time,kind,lon,lat\ns,2024-01-01,drone,30.5,50.4\n")
    assert list(_import(path, layer="towns").frames["towns"]["name"]) == ["Kyiv"]
    with pytest.raises(DataError, match="bundle.zip: a zip must hold exactly one dataset .* found towns.csv, strikes"):
        _import(path)


def test_csv_lon_lat_with_mapping(tmp_path):
    path = tmp_path / "attacks.csv"
    path.write_text("id,date,type,Longitude,Latitude,Killed\n"
                    "a1,2024-01-02 03:04,Missile,30.5,50.4,3\n"
                    "a2,2024-01-03,glide bomb,36.2,49.9,\n"
                    "a3,2024-01-04,tank,36.2,49.9,1\n"
                    "a4,2024-01-05,drone,thirty,49.9,1\n", encoding="utf-8")
    result = _import(path, mapping={"time": "date", "kind": "type", "event_id": "id"})
    out = result.frames["strikes"]
    assert list(out["event_id"]) == ["a1", "a2"]
    assert list(out["kind"]) == ["missile", "glide_bomb"] and list(out["killed"].astype(object)) == [3, pd.NA]
    assert list(out["time_precision"]) == ["minute", "day"]
    assert out.geometry.iloc[0].equals(Point(30.5, 50.4)) and set(out["source"]) == {"attacks"}
    assert _reasons(result) == [(3, "kind", f"must be one of {', '.join(model.STRIKE_KINDS)}"),
                                (4, "Longitude", "not a number")]
    assert "attacks.csv, row 4, field 'Longitude': not a number (value: 'thirty')" in [
        r.sentence() for r in result.rejects]


def test_csv_wkt_polygons(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text('status,as_of,WKT\noccupied,2023-01-01,"POLYGON ((35 47, 36 47, 36 48, 35 48, 35 47))"\n'
                    'contested,2023-01-01,"POLYGON ((broken"\n', encoding="utf-8")
    result = _import(path, layer="control", source="analyst")
    out = result.frames["control"]
    assert list(out["status"]) == ["occupied"] and list(out["source"]) == ["analyst"]
    assert out.geometry.iloc[0].equals(box(35, 47, 36, 48))
    assert _reasons(result) == [(2, "WKT", "unreadable WKT")]


def test_kml_points_with_extended_data(tmp_path):
    path = tmp_path / "places.kml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<kml {KML_NS}><Document><Folder><name>east</name>
<Placemark><name>Izium</name><ExtendedData><Data name="population"><value>45000</value></Data></ExtendedData>
<Point><coordinates>37.26,49.21,0</coordinates></Point></Placemark>
<Placemark><name>Nowhere</name><Point><coordinates>oops</coordinates></Point></Placemark>
</Folder></Document></kml>""", encoding="utf-8")
    result = _import(path)
    out = result.frames["towns"]
    assert list(out["name"]) == ["Izium"] and list(out["population"]) == [45000] and list(out["folder"]) == ["east"]
    assert out.geometry.iloc[0].equals(Point(37.26, 49.21))
    assert [(r.row, r.field) for r in result.rejects] == [(1, "geometry")]
    assert "not lon,lat" in result.rejects[0].reason


def test_kmz_polygons_with_holes(tmp_path):
    kml = f"""<kml {KML_NS}><Document><Placemark><name>zone</name><ExtendedData><SchemaData>
<SimpleData name="status">occupied</SimpleData><SimpleData name="as_of">2023-06-01</SimpleData></SchemaData>
</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>30,46 34,46 34,50 30,50 30,46</coordinates>
</LinearRing></outerBoundaryIs><innerBoundaryIs><LinearRing><coordinates>31,47 32,47 32,48 31,48 31,47
</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark></Document></kml>"""
    path = tmp_path / "zones.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", kml)
    out = _import(path).frames["control"]
    assert list(out["status"]) == ["occupied"] and out.geometry.iloc[0].area == pytest.approx(15.0)
    assert list(out["source"]) == ["zones"] and list(out["label"].astype(object)) == [pd.NA]


def test_strikes_without_coordinates_get_the_admin1_centre(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text("event_id,time,kind,admin1,lon,lat\nr1,2024-02-01,missile,Kharkiv Oblast,,\n"
                    "r2,2024-02-01,missile,Atlantis,,\n", encoding="utf-8")
    result = _import(path)
    out = result.frames["strikes"]
    assert list(out["location_precision"]) == ["admin1"] and out.geometry.iloc[0].distance(Point(36.23, 49.99)) < 0.1
    assert _reasons(result) == [(2, "geometry", "empty or missing geometry")]


# ---- guessing and mapping errors -------------------------------------------------------
@pytest.mark.parametrize("header,row,layer", [
    ("name,population,lon,lat", "Kyiv,2900000,30.5,50.4", "towns"),
    ("name,date,lon,lat", "x,2024-01-01,30.5,50.4", "strikes"),
    ("town_id,name,updated,lon,lat", "k,Kyiv,2024-01-01,30.5,50.4", "towns"),
])
def test_guessing_points(tmp_path, header, row, layer):
    path = tmp_path / "f.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    options = {"mapping": {"time": "date", "kind": "name"}} if layer == "strikes" else {}
    if layer == "strikes":
        path.write_text(f"{header}\nmissile,2024-01-01,30.5,50.4\n")
    assert list(_import(path, **options).frames) == [layer]


@pytest.mark.parametrize("text,options,message", [
    ("a,b,lon,lat\n1,2,30,50\n", {}, "f.csv: cannot tell which layer this file feeds .* pass --layer"),
    ("a,lon,lat\n1,30,50\n", {"mapping": {"colour": "a"}}, "f.csv: --map target 'colour' is not a canonical column"),
    ("a,lon,lat\n1,30,50\n", {"mapping": {"time": "when"}}, "f.csv: --map time=when: the file has no column 'when'"),
    ("name,lon,lat\nx,30,50\n", {"layer": "towns", "mapping": {"status": "name"}},
     "f.csv: --map target 'status' is not a column of layer 'towns'"),
    ("status,lon,lat\nx,30,50\n", {"layer": "control"},
     "f.csv: layer 'control' needs column\\(s\\) as_of, which the file lacks"),
    ("name,date,lon,lat\nx,2024-01-01,30,50\n", {"layer": "strikes"},
     "f.csv: layer 'strikes' needs column\\(s\\) time, kind, .*date/time-like columns in the file: date.*--map time="),
    ("name,population\nx,1\n", {}, "f.csv: no coordinates: expected lon/lat"),
])
def test_bad_columns_are_one_sentence(tmp_path, text, options, message):
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        _import(path, **options)


# ---- bad content -----------------------------------------------------------------------
@pytest.mark.parametrize("name,data,kind", [
    ("x.geojson", b"PK\x03\x04rest", "zip"),
    ("x.csv", b"\x89PNG\r\n\x1a\n", "png"),
    ("x.gpkg", b"name,lon,lat\n", "text"),
    ("x.kml", b'{"type": "FeatureCollection"}', "json"),
])
def test_content_that_is_not_what_the_extension_says(tmp_path, name, data, kind):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(DataError, match=f"{name}: content looks like {kind}"):
        _import(tmp_path / name)


def test_unsupported_extension(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match="x.xlsx: unsupported file type '.xlsx'"):
        _import(tmp_path / "x.xlsx")


def test_wrong_encoding_names_the_line(tmp_path):
    (tmp_path / "bad.geojson").write_bytes(b'{"type": "FeatureCollection",\n"features": [\n{"name": "Kh\xe9rson"}]}')
    with pytest.raises(DataError, match=r"bad.geojson: line 3: bytes are neither utf-8-sig"):
        _import(tmp_path / "bad.geojson")
    (tmp_path / "bad.csv").write_bytes(b"name,lon,lat\nA,30,50\nB,30,50\n\x81x,30,50\n")
    with pytest.raises(DataError, match=r"bad.csv: line 4: bytes are neither"):
        _import(tmp_path / "bad.csv")
    (tmp_path / "bad.kml").write_bytes(f'<?xml version="1.0" encoding="utf-8"?>\n<kml {KML_NS}>\n<a>\xe9</a>'
                                       .encode("latin-1"))
    with pytest.raises(DataError, match=r"bad.kml: line 3: not well-formed XML"):
        _import(tmp_path / "bad.kml")


def test_projected_coordinates_are_rejected_per_row(tmp_path):
    path = tmp_path / "utm.csv"
    path.write_text("name,population,x,y\nKyiv,1,3400000,6500000\nLviv,1,2670000,6400000\n", encoding="utf-8")
    result = _import(path)
    assert not len(result.frames["towns"])
    assert [(r.row, r.field) for r in result.rejects] == [(1, "geometry"), (2, "geometry")]
    assert "coordinates outside lon -180..180 / lat -90..90" in result.rejects[0].reason
    geo = _geojson(tmp_path / "proj.geojson", [({"name": "Kyiv", "population": 1}, _point(3400000, 6500000))])
    assert _reasons(_import(geo))[0][:2] == (0, "geometry")


def test_swapped_lon_lat_is_rejected(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("name,population,lon,lat\nKyiv,1,50.45,30.52\nKharkiv,1,49.99,36.23\n", encoding="utf-8")
    result = _import(path)
    assert [r.sentence() for r in result.rejects] == [
        "swapped.csv, row 1, field 'lon/lat': lon/lat swapped? (value: 'lon=50.45, lat=30.52')",
        "swapped.csv, row 2, field 'lon/lat': lon/lat swapped? (value: 'lon=49.99, lat=36.23')"]
    geo = _geojson(tmp_path / "s.geojson", [({"name": "Kyiv"}, _point(50.45, 30.52))])
    assert _reasons(_import(geo)) == [(0, "geometry", "lon/lat swapped?")]
    fine = _geojson(tmp_path / "f.geojson", [({"name": "Kyiv"}, _point(30.52, 50.45)),
                                              ({"name": "odd"}, _point(50.45, 30.52))])
    assert len(_import(fine).frames["towns"]) == 2  # only a file where EVERY point is swapped is rejected


def test_registry_returns_the_generic_importer():
    importer = get("generic")
    assert isinstance(importer, GenericImporter) and "*.kmz" in importer.patterns


# ---- the CLI ---------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_import_generic(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("event_id,date,type,lon,lat\ns1,2024-04-01,drone,30.5,50.4\ns2,2024-04-02,ufo,30.6,50.5\n")
    store = tmp_path / "store"
    result = _cli("import", "generic", str(path), "--layer", "strikes", "--map", "time=date,kind=type",
                  "--into", str(store))
    assert result.returncode == 0, result.stderr
    strikes = gpd.read_parquet(store / "strikes.parquet")
    assert list(strikes["event_id"]) == ["s1"] and list(strikes["source"]) == ["x"]
    rejects = pd.read_csv(store / "rejects.csv", dtype=str)
    assert list(rejects[["file", "row", "field"]].itertuples(index=False, name=None)) == [("x.csv", "2", "kind")]
    bad = _cli("import", "generic", str(path), "--map", "colour=type", "--into", str(store))
    assert bad.returncode == 2 and "--map target 'colour' is not a canonical column" in bad.stderr


def test_bad_content_inside_a_zip_names_the_entry(tmp_path):
    path = tmp_path / "pack.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("d/x.geojson", b"\x89PNG\r\n\x1a\n")
    with pytest.raises(DataError, match="^pack.zip:d/x.geojson: content looks like png, not json"):
        _import(path)
