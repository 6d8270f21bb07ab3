"""``python -m geo fetch deepstate``: against a local http.server serving hand-written API answers.

The real network is never touched: every run points ``--base-url`` at 127.0.0.1.
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from pathlib import Path

import geopandas as gpd
import pytest

from geo import fetch
from geo.cli import main
from geo.model import DataError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "deepstate_api"


class Api(http.server.ThreadingHTTPServer):
    """Serves the fixtures; ``fail`` maps a path to an HTTP status to answer instead."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.paths: list[str] = []
        self.agents: list[str] = []
        self.fail: dict[str, int] = {}
        self.public = (FIXTURES / "history_public.json").read_bytes()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Api

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.paths.append(self.path)
        self.server.agents.append(self.headers.get("User-Agent", ""))
        if self.path in self.server.fail:
            self.send_error(self.server.fail[self.path])
            return
        parts = self.path.strip("/").split("/")
        body = None
        if self.path == "/api/history/public":
            body = self.server.public
        elif len(parts) == 4 and parts[:2] == ["api", "history"] and parts[3] == "geojson":
            file = FIXTURES / f"{parts[2]}.geojson"
            body = file.read_bytes() if file.exists() and parts[2].isdigit() else None
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def api():
    server = Api()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "fetch", "deepstate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def geojson_requests(api: Api) -> list[str]:
    return [p for p in api.paths if p.endswith("/geojson")]


def test_fetch_downloads_since_date_imports_and_resumes(api, tmp_path):
    into = tmp_path / "store"
    result = run("--since", "2023-11-01", "--into", str(into), "--base-url", api.url, "--pause", "0")
    assert result.returncode == 0, result.stderr
    assert "[1/2] 1700000000 2023-11-14 22:13 UTC downloaded" in result.stderr
    assert "[2/2] 1700086400 2023-11-15 22:13 UTC downloaded" in result.stderr
    assert geojson_requests(api) == ["/api/history/1700000000/geojson", "/api/history/1700086400/geojson"]
    assert all(a.startswith("frontline/") for a in api.agents)
    raw = into / "raw" / "deepstate"
    assert sorted(p.name for p in raw.iterdir()) == ["1700000000.geojson", "1700086400.geojson"]
    assert (raw / "1700000000.geojson").read_bytes() == (FIXTURES / "1700000000.geojson").read_bytes()
    control = gpd.read_parquet(into / "control.parquet")
    assert control.groupby(control["as_of"].dt.strftime("%Y-%m-%d"))["status"].apply(sorted).to_dict() == {
        "2023-11-14": ["liberated", "occupied", "occupied_before"],
        "2023-11-15": ["contested", "occupied", "occupied_before"],
    }
    assert control.loc[control["status"] == "liberated", "note"].tolist() == ["liberated_on 2022-03-25"]
    markers = gpd.read_parquet(into / "markers.parquet")
    assert sorted(markers["kind"]) == ["arrow", "hq"]  # Moscow is out of the theatre
    assert markers.loc[markers["kind"] == "arrow", "direction"].tolist() == [270.0]
    rejects = (into / "rejects.csv").read_text()
    assert rejects.count("out of theatre") == 2

    # a second run downloads nothing, imports nothing and leaves the store as it was
    api.paths.clear()
    again = run("--since", "2023-11-01", "--into", str(into), "--base-url", api.url, "--pause", "0")
    assert again.returncode == 0, again.stderr
    assert api.paths == ["/api/history/public"]
    assert "already downloaded" in again.stderr and "2 already imported" in again.stderr
    assert len(gpd.read_parquet(into / "control.parquet")) == len(control)


def test_fetch_until_and_default_since(api, tmp_path):
    into = tmp_path / "store"
    first = run("--since", "1700000000", "--until", "2023-11-14", "--into", str(into), "--base-url", api.url,
                "--pause", "0")
    assert first.returncode == 0, first.stderr
    assert geojson_requests(api) == ["/api/history/1700000000/geojson"]
    # without --since: carry on from the newest version already downloaded
    api.paths.clear()
    later = run("--into", str(into), "--base-url", api.url, "--pause", "0")
    assert later.returncode == 0, later.stderr
    assert geojson_requests(api) == ["/api/history/1700086400/geojson"]
    assert len(gpd.read_parquet(into / "control.parquet")) == 6


def test_pause_between_requests(api, tmp_path, monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", sleeps.append)
    client = fetch.Client(base_url=api.url, pause=1.5, retries=0)
    fetch.download(client, fetch.list_versions(client)[1:], tmp_path, lambda _m: None)
    assert len(sleeps) == 2 and all(1.4 < s <= 1.5 for s in sleeps)


@pytest.mark.parametrize("fail,message", [
    ({"/api/history/1700086400/geojson": 503}, "/api/history/1700086400/geojson failed: HTTP 503"),
    ({"/api/history/public": 404}, "/api/history/public failed: HTTP 404"),
])
def test_http_errors_exit_2_naming_the_url(api, tmp_path, capsys, fail, message):
    api.fail.update(fail)
    code = main(["fetch", "deepstate", "--since", "2023-11-01", "--into", str(tmp_path / "s"), "--base-url", api.url,
                 "--pause", "0", "--retries", "0"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"error: GET {api.url}{message}" in err
    if "1700086400" in message:  # what was downloaded before the failure stays, imported
        assert (tmp_path / "s" / "raw" / "deepstate" / "1700000000.geojson").exists()
        assert len(gpd.read_parquet(tmp_path / "s" / "control.parquet")) == 3


def test_unreachable_server_and_bad_answers(api, tmp_path, capsys):
    closed = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = closed.server_address[1]
    closed.server_close()
    code = main(["fetch", "deepstate", "--since", "2023-11-01", "--into", str(tmp_path / "s"), "--base-url",
                 f"http://127.0.0.1:{port}", "--retries", "0"])
    assert code == 2 and f"GET http://127.0.0.1:{port}/api/history/public failed" in capsys.readouterr().err
    assert main(["fetch", "deepstate", "--into", str(tmp_path / "empty"), "--base-url", api.url]) == 2
    assert "give --since DATE" in capsys.readouterr().err
    assert main(["fetch", "deepstate", "--into", str(tmp_path / "f"), "--base-url", "file:///etc"]) == 2
    assert "must start with http" in capsys.readouterr().err
    api.public = b'{"not": "a list"}'
    with pytest.raises(DataError, match="expected a list of versions"):
        fetch.list_versions(fetch.Client(base_url=api.url, retries=0))
    api.public = b"<html>maintenance</html>"
    with pytest.raises(DataError, match="not JSON"):
        fetch.list_versions(fetch.Client(base_url=api.url, retries=0))


def test_retries_then_succeeds(api, monkeypatch):
    monkeypatch.setattr(fetch.time, "sleep", lambda _s: None)
    calls = {"n": 0}
    original = Handler.do_GET

    def flaky(self) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            self.send_error(503)
        else:
            original(self)

    monkeypatch.setattr(Handler, "do_GET", flaky)
    assert fetch.list_versions(fetch.Client(base_url=api.url, retries=2)) == [1690000000, 1700000000, 1700086400]
    assert calls["n"] == 2


@pytest.mark.parametrize("text,end,expected", [
    ("2023-11-14", False, 1699920000), ("2023-11-14", True, 1700006399), ("1700000000", False, 1700000000),
])
def test_parse_bound(text, end, expected):
    assert fetch.parse_bound(text, end) == expected


def test_parse_bound_rejects_garbage():
    with pytest.raises(DataError, match="neither a date"):
        fetch.parse_bound("yesterday")
