"""ISW importer on the real (simplified, third-party) extracts, plus tiny in-code files for the other layers."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import importers
from geo.analysis import area_km2
from geo.importers.base import Options
from geo.model import DataError

ROOT = Path(__file__).resolve().parent.parent
IMPLAUSIBLE = "date 2202-02-02 is implausible (typo of 2022?)"
NULL = "no geometry (lost in the export's simplification)"


@pytest.fixture(scope="module")
def isw(shared_data) -> dict[str, importers.FileResult]:
    importer = importers.get("isw")
    files = importer.files([shared_data / "isw-control-simplified-sdspieg"])
    return {f"{f.parent.name}/{f.name}": importers.run_file(importer, f, Options()) for f in files}


def raw(shared_data: Path, key: str) -> list[dict]:
    return json.loads((shared_data / "isw-control-simplified-sdspieg" / key).read_text("utf-8"))["features"]


def test_every_file_imports_and_loses_nothing(isw, shared_data):
    assert len(isw) == 18 and "metadata.json" not in " ".join(isw)
    for key, result in isw.items():
        features = raw(shared_data, key)
        assert result.read == len(features) == result.stored + len(result.rejects), key
        nulls = sum(f["geometry"] is None for f in features)
        if not key.endswith("2202-02-02.geojson"):
            assert Counter(r.reason for r in result.rejects) == ({NULL: nulls} if nulls else {}), key
        control = result.frames["control"]
        assert control.geometry.is_valid.all() and not control.geometry.has_z.any()
        assert (control["source"] == "isw").all()


def test_the_2202_file_is_rejected_whole(isw):
    result = isw["territory_geojson/2202-02-02.geojson"]
    assert len(result.frames["control"]) == 0
    assert [(r.field, r.reason) for r in result.rejects] == [("date", IMPLAUSIBLE)] * 7


def test_statuses_dates_and_notes(isw):
    territory = isw["territory_geojson/2024-11-24.geojson"].frames["control"]
    assert set(territory["status"]) == {"occupied"} and set(territory["label"]) == {"ukraine_control_map"}
    assert (territory["as_of"] == pd.Timestamp("2024-11-24", tz="UTC")).all()
    kursk = isw["kursk_geojson/2025-03-11.geojson"].frames["control"]
    assert set(kursk["status"]) == {"advance"} and set(kursk["note"]) == {"Kursk oblast (Russia)"}


def test_invalid_main_polygon_repaired_with_its_area(isw, shared_data):
    key = "territory_geojson/2023-11-23.geojson"
    features = raw(shared_data, key)
    invalid = [i for i, f in enumerate(features)
               if f["geometry"] and not shapely.geometry.shape(f["geometry"]).is_valid]
    assert len(invalid) == 2
    control = isw[key].frames["control"].set_index("feature")
    main = control.loc[1]
    assert main["area_km2"] == 106516.18
    assert area_km2(main.geometry) == pytest.approx(106516.18, rel=1e-3)  # ISW's own figure, after make_valid
    total = area_km2(shapely.union_all(control.geometry.values))
    assert 106_000 < total < 108_000  # ISW's assessed control includes Crimea and the 2014-22 areas


def feature(layer: str, date: str | None, geom: dict | None) -> dict:
    return {"type": "Feature", "geometry": geom, "properties": {"date": date, "area_km2": 1.0, "layer_type": layer}}


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return shapely.geometry.mapping(shapely.box(x0, y0, x1, y1))


def test_other_layers_and_bad_rows(tmp_path):
    path = tmp_path / "export.geojson"  # no date in the name to fall back on
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("ukrainian_counteroffensives", "2024-08-20", box(35.0, 51.3, 35.3, 51.5)),  # Kursk oblast
        feature("ukrainian_counteroffensives", "2024-08-20", box(36.0, 49.0, 36.2, 49.2)),  # Kharkiv oblast
        feature("russian_claimed", "2024-08-20", box(37.0, 48.0, 37.1, 48.1)),
        feature("russian_infiltration", "2024-08-20", box(37.2, 48.0, 37.3, 48.1)),
        feature("partisan_warfare", "2024-08-20", box(37.2, 48.0, 37.3, 48.1)),
        feature("russian_advances", None, box(37.2, 48.0, 37.3, 48.1)),
        feature("russian_advances", "2024-08-20", box(60.0, 10.0, 60.1, 10.1)),
    ]}))
    result = importers.run_file(importers.get("isw"), path, Options())
    control = result.frames["control"]
    assert control["status"].tolist() == ["defender_held_abroad", "liberated", "claimed", "advance"]
    assert [(r.row, r.field, r.reason) for r in result.rejects] == [
        (4, "layer_type", result.rejects[0].reason),
        (5, "date", "missing or unparseable date (expected YYYY-MM-DD)"),
        (6, "geometry", "out of theatre"),
    ]
    assert "partisan_warfare" == result.rejects[0].value


def test_not_a_feature_collection_is_a_clear_error(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Feature", "geometry": null, "properties": {}}')
    with pytest.raises(DataError, match="expected a GeoJSON FeatureCollection"):
        importers.run_file(importers.get("isw"), path, Options())
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(DataError, match="line 1: not valid JSON"):
        importers.run_file(importers.get("isw"), path, Options())


def test_cli_imports_the_folder(shared_data, tmp_path):
    folder = shared_data / "isw-control-simplified-sdspieg"
    result = subprocess.run([sys.executable, "-m", "geo", "import", "isw", str(folder), "--into", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"7 x {IMPLAUSIBLE}" in result.stderr
    control = gpd.read_parquet(tmp_path / "control.parquet")
    assert control["as_of"].dt.year.between(2023, 2026).all() and len(control) == 113
    manifest = json.loads((tmp_path / "atlas.json").read_text())
    assert "ISW's consent" in manifest["attribution"]["isw"]
