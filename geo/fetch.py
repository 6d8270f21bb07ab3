"""Live download of DeepStateMap's public history, politely and resumably, into a data directory.

``GET /api/history/public`` lists the published versions (``id`` = publication time in Unix
seconds); ``GET /api/history/{id}/geojson`` is one version's map. Requests go one at a time with
a pause between them; each version is kept verbatim as ``DIR/raw/deepstate/<id>.geojson`` and
never downloaded twice, then imported with the ``deepstate`` importer and merged into ``DIR``
(files already imported with the same content are skipped). Interrupt it at any point and run
it again: it carries on where it stopped. DeepStateMap's terms: free for non-commercial use
with attribution; proxying their API is not allowed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo import importers, store
from geo.atlas import MANIFEST, atomic_write
from geo.importers.base import Options, file_key, sha256
from geo.model import DataError

DEFAULT_BASE_URL = "https://deepstatemap.live"
USER_AGENT = "frontline/0.1 (non-commercial war map; polite fetch, one request at a time)"
MAX_BYTES = 64 * 1024 * 1024  # one answer; a version is ~0.2-2 MB
MERGE_EVERY = 25  # files imported per store merge (bounds memory and lost work on interruption)
RETRY_STATUS = (429, 500, 502, 503, 504)


@dataclass
class Client:
    """One-request-at-a-time HTTP GET with a pause between requests and a few retries."""

    base_url: str = DEFAULT_BASE_URL
    pause: float = 1.0
    timeout: float = 60.0
    retries: int = 2
    requests: int = 0
    _last: float = field(default=0.0, repr=False)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def _wait(self, extra: float = 0.0) -> None:
        if self.requests:
            delay = self.pause + extra - (time.monotonic() - self._last)
            if delay > 0:
                time.sleep(delay)

    def get(self, path: str) -> bytes:
        """The body of ``GET base_url + path``; DataError naming the URL when it fails."""
        url = self.url(path)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        for attempt in range(self.retries + 1):
            self._wait(extra=0.0 if attempt == 0 else max(self.pause, 1.0) * 2 ** attempt)
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    body = answer.read(MAX_BYTES + 1)
            except urllib.error.HTTPError as exc:
                problem, retry = f"HTTP {exc.code} {exc.reason}", exc.code in RETRY_STATUS
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                problem, retry = str(getattr(exc, "reason", exc)), True
            else:
                self._last = time.monotonic()
                if len(body) > MAX_BYTES:
                    raise DataError(f"GET {url}: answer larger than {MAX_BYTES // 2**20} MB")
                return body
            self._last = time.monotonic()
            if not retry or attempt == self.retries:
                raise DataError(f"GET {url} failed: {problem}")
        raise AssertionError("unreachable")

    def get_json(self, path: str) -> tuple[object, bytes]:
        """(parsed JSON, raw bytes) of ``GET base_url + path``."""
        body = self.get(path)
        try:
            return json.loads(body.decode("utf-8-sig")), body
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"GET {self.url(path)}: the answer is not JSON ({exc})") from None


def parse_bound(text: str | None, end: bool = False) -> int | None:
    """A ``--since``/``--until`` value as a version id: a Unix time, or a UTC date (its start, or its end)."""
    if text is None:
        return None
    value = text.strip()
    if value.isdigit() and len(value) >= 9:
        return int(value)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise DataError(f"'{text}' is neither a date (YYYY-MM-DD) nor a version id (Unix seconds)") from None
    start = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    return start + 86_399 if end else start


def list_versions(client: Client) -> list[int]:
    """The ids of all published versions, oldest first."""
    data, _ = client.get_json("/api/history/public")
    if not isinstance(data, list):
        raise DataError(f"GET {client.url('/api/history/public')}: expected a list of versions, "
                        f"found {type(data).__name__}")
    ids = []
    for n, item in enumerate(data):
        value = item.get("id") if isinstance(item, dict) else None
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise DataError(f"GET {client.url('/api/history/public')}: version {n}: field 'id': "
                            f"{value!r} is not a version id") from None
    return sorted(set(ids))


def _stamp(version: int) -> str:
    return pd.Timestamp(version, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M UTC")


def download(client: Client, versions: list[int], raw: Path, log: Callable[[str], None]) -> int:
    """Download the versions not yet in ``raw``; returns how many were downloaded."""
    raw.mkdir(parents=True, exist_ok=True)
    done = 0
    for k, version in enumerate(versions, 1):
        target = raw / f"{version}.geojson"
        prefix = f"[{k}/{len(versions)}] {version} {_stamp(version)}"
        if target.exists() and target.stat().st_size > 0:
            log(f"{prefix} already downloaded")
            continue
        path = f"/api/history/{version}/geojson"
        data, body = client.get_json(path)
        if not isinstance(data, dict) or (data.get("type") != "FeatureCollection" and "map" not in data):
            raise DataError(f"GET {client.url(path)}: expected a GeoJSON FeatureCollection")
        atomic_write(target, lambda p, b=body: Path(p).write_bytes(b))
        done += 1
        log(f"{prefix} downloaded ({len(body) / 1024:.0f} KB)")
    return done


def import_new(into: Path, files: list[Path], log: Callable[[str], None]) -> dict[str, int]:
    """Import ``files`` with the deepstate importer (skipping unchanged ones already in ``into``)."""
    importer = importers.get("deepstate")
    manifest = json.loads((into / MANIFEST).read_text("utf-8")) if (into / MANIFEST).exists() else {}
    seen = {k: v.get("sha256") for k, v in manifest.get("files", {}).items()}
    todo = [f for f in files if seen.get(f"deepstate:{file_key(f)}") != sha256(f)]
    counts = {"files": 0, "zones": 0, "markers": 0, "rejected": 0, "failed": 0, "unchanged": len(files) - len(todo)}
    batch = []
    for n, path in enumerate(todo, 1):
        try:
            result = importers.run_file(importer, path, Options())
        except DataError as exc:
            log(f"  error: {exc}")
            counts["failed"] += 1
            continue
        batch.append(result)
        counts["files"] += 1
        counts["zones"] += len(result.frames.get("control", ()))
        counts["markers"] += len(result.frames.get("markers", ()))
        counts["rejected"] += len(result.rejects)
        if len(batch) == MERGE_EVERY or n == len(todo):
            store.merge(into, importer, batch)
            log(f"  imported {counts['files']}/{len(todo)} file(s) into {into}")
            batch = []
    if batch:
        store.merge(into, importer, batch)
    return counts


def fetch_deepstate(into: Path, since: str | None, until: str | None, client: Client,
                    log: Callable[[str], None]) -> dict[str, int]:
    """Download the versions from ``since`` to ``until`` (inclusive) into ``into`` and import them.

    Without ``since`` the newest version already downloaded into ``into`` is the start.
    """
    raw = into / "raw" / "deepstate"
    first = parse_bound(since)
    if first is None:
        have = [int(p.stem) for p in raw.glob("*.geojson") if p.stem.isdigit()] if raw.exists() else []
        if not have:
            raise DataError(f"{raw} holds no downloaded version yet: give --since DATE")
        first = max(have)
    last = parse_bound(until, end=True)
    versions = [v for v in list_versions(client) if v >= first and (last is None or v <= last)]
    log(f"deepstate: {len(versions)} version(s) from {_stamp(first)}"
        + (f" to {_stamp(last)}" if last is not None else "") + f" at {client.base_url}")
    files = [raw / f"{v}.geojson" for v in versions]
    try:
        downloaded = download(client, versions, raw, log)
    except DataError:
        import_new(into, [f for f in files if f.exists()], log)  # keep what arrived before the failure
        raise
    counts = import_new(into, files, log)
    return {"versions": len(versions), "downloaded": downloaded, **counts}
