import json
from pathlib import Path

import geopandas as gpd
import jsonschema
import pytest

from geo import export, model

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "FeatureCollection.json").read_text())


def test_snapshot_has_layers_statuses_and_metadata(tiny):
    fc = export.snapshot(tiny, "2022-03-05", source="t", window_days=7)
    jsonschema.validate(fc, SCHEMA)
    by_layer = {}
    for f in fc["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f["properties"])
    assert sorted(p["status"] for p in by_layer["control"]) == ["contested", "occupied"]
    assert [p["status"] for p in by_layer["towns"]] == ["occupied", "occupied", "contested"]
    assert [p["event_id"] for p in by_layer["strikes"]] == ["s1", "s2", "s3", "s4"]
    assert by_layer["strikes"][3]["time"] == "2022-03-05T23:59:00Z"
    assert by_layer["strikes"][2]["killed"] is None
    meta = fc["metadata"]
    assert meta["date"] == "2022-03-05"
    assert meta["control_snapshot"] == "2022-03-05T10:00:00Z"
    assert meta["counts"] == {"control": 2, "towns": 3, "strikes": 4}
    assert meta["attribution"] == ["Test source"]
    assert meta["generator"].startswith("frontline")


def test_snapshot_file_reads_back_with_geopandas(tiny, tmp_path):
    out = tmp_path / "snap.geojson"
    out.write_text(export.dumps(export.snapshot(tiny, "2022-03-01", ["control", "towns"], "t")), "utf-8")
    back = gpd.read_file(out)
    assert back.crs.to_epsg() == 4326
    assert back["layer"].value_counts().to_dict() == {"towns": 3, "control": 1}
    zone = back[back["layer"] == "control"].geometry.iloc[0]
    assert zone.area == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs,message", [
    ({"date": "2030-01-01"}, "outside the data"),
    ({"date": "2022-03-01", "layers": "control,roads"}, "unknown layer 'roads'"),
    ({"date": "2022-03-01", "source": "nope"}, "unknown source 'nope'"),
    ({"date": "1 March"}, "not a date"),
])
def test_bad_requests_are_one_sentence(tiny, kwargs, message):
    with pytest.raises(model.DataError, match=message):
        export.snapshot(tiny, **kwargs)
