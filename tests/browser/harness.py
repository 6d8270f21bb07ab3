"""Run the Streamlit app on a free local port and drive it with Debian's chromium (Playwright).

Used by the browser tests and by ``bench/`` scripts. Every request that leaves 127.0.0.1 is
aborted, so a passing test proves the page works with no internet.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(data: Path | None = None, env: dict[str, str] | None = None,
               script: Path = ROOT / "streamlit_app.py") -> Iterator[str]:
    """Start ``streamlit run streamlit_app.py`` (or ``script``); yields its URL; stops it afterwards."""
    port = free_port()
    environ = {**os.environ, **(env or {})}
    if data is not None:
        environ["FRONTLINE_DATA"] = str(data)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read() if proc.stdout else ""
                    raise RuntimeError(f"streamlit did not start:\n{out}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A headless Debian chromium through Playwright; fails with a clear message when missing."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def offline_page(b, width: int = 1400, height: int = 950):
    """A page whose requests to anything but 127.0.0.1 are aborted (and recorded in ``page.blocked``)."""
    page = b.new_page(viewport={"width": width, "height": height})
    page.blocked = []

    def guard(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            page.blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    return page


def map_frame(page, timeout: float = 60_000):
    """The st_folium iframe, once Leaflet has drawn at least one vector path."""
    handle = page.wait_for_selector("iframe[title*='streamlit_folium']", state="attached", timeout=timeout)
    frame = handle.content_frame()
    frame.wait_for_function("() => window.L && document.querySelectorAll('path.leaflet-interactive').length > 0",
                            timeout=timeout)
    return frame
