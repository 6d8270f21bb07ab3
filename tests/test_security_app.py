"""The app's own surface: uploads stay in a temp folder and never reach a shell, no data string is
rendered as raw HTML, and data strings in Streamlit Markdown show literally (``ui.text.md``)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from ui import upload as upload_ui
from ui.text import md

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = [ROOT / "streamlit_app.py", *sorted((ROOT / "ui").glob("*.py"))]
CODE_FILES = APP_FILES + sorted((ROOT / "geo").rglob("*.py")) + sorted((ROOT / "layers").glob("*.py"))
CSV = b"event_id,time,kind,lon,lat\ne1,2022-03-05,drone,36.2,49.9\n"


@pytest.mark.parametrize("name", ["../../etc/passwd.csv", "/etc/cron.d/x.csv", "..\\..\\boot.ini.csv",
                                  "$(touch pwned).csv", "a; rm -rf ~ #.csv", "x\x00.csv", "-rf .csv",
                                  "<script>alert(1)</script>.csv"])
def test_upload_is_written_under_a_fixed_name_in_a_fresh_temp_folder(name, monkeypatch):
    seen: list[Path] = []
    real = upload_ui.run_file

    def spy(importer, path, options):
        seen.append(path)
        assert path.exists() and path.read_bytes() == CSV
        return real(importer, path, options)

    def no_shell(*args, **kwargs):
        raise AssertionError(f"an upload must never start a process: {args}")

    monkeypatch.setattr(upload_ui, "run_file", spy)
    monkeypatch.setattr(subprocess, "Popen", no_shell)
    monkeypatch.setattr(os, "system", no_shell)
    got = upload_ui.import_upload(name, CSV, layer="strikes")
    assert got.error is None, got.error
    (path,) = seen
    assert path.name == "upload.csv"
    assert path.parent.name.startswith("frontline-upload-") and path.parent.parent == Path(tempfile.gettempdir())
    assert not path.parent.exists(), "the temp folder is removed after the import"
    assert "/" not in got.name and "\\" not in got.name and "<" not in got.name and "\x00" not in got.name
    assert set(got.result.frames["strikes"]["import_file"]) == {got.name}


def test_upload_with_a_disguised_extension_is_refused():
    got = upload_ui.import_upload("x.csv\x00.sh", CSV)
    assert got.result is None and got.error.startswith("x.csv_.sh: unsupported file type")


DANGEROUS = re.compile(r"shell=True|os\.system\(|os\.popen\(|(?<![\w.])eval\(|(?<![\w.])exec\(|pickle\.loads?\(|"
                       r"yaml\.load\(|marshal\.loads?\(")


def test_no_code_runs_a_shell_or_evaluates_strings():
    bad = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in CODE_FILES
           for m in DANGEROUS.finditer(path.read_text("utf-8"))]
    assert bad == []  # ast.literal_eval (missiles' region lists) is fine: it parses literals only


def _unsafe_html_calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and any(
        k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
        for k in node.keywords)]


def test_unsafe_allow_html_is_only_used_with_constant_strings():
    for path in APP_FILES:
        tree = ast.parse(path.read_text("utf-8"))
        constants = {t.id for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                     and isinstance(node.value.value, str) for t in node.targets if isinstance(t, ast.Name)}
        for call in _unsafe_html_calls(tree):
            arg = call.args[0] if call.args else None
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            assert literal or (isinstance(arg, ast.Name) and arg.id in constants), (
                f"{path.name}:{call.lineno}: unsafe_allow_html with a non-constant string")


def test_no_raw_html_components_in_the_app():
    for path in APP_FILES:
        text = path.read_text("utf-8")
        assert "components.html(" not in text and "st.html(" not in text, path.name


@pytest.mark.parametrize(("value", "shown"), [
    ("![t](http://evil.example/p.png)", r"!\[t\](http://evil.example/p.png)"),
    ("[click](javascript:alert(1))", r"\[click\](javascript:alert(1))"),
    ("<script>x</script>", r"\<script\>x\</script\>"),
    (":red[alarm] $x^2$ **bold** _it_ ~~s~~ `c` # h | t",
     r":red\[alarm\] \$x^2\$ \*\*bold\*\* \_it\_ \~\~s\~\~ \`c\` \# h \| t"),
    ("line\n\n# heading\r\n> quote", r"line \# heading \> quote"),
    ("a\\b", r"a\\b"),
    ("zones.kml: line 1: unknown layer 'bogus' (x)", "zones.kml: line 1: unknown layer 'bogus' (x)"),
    (None, ""),
])
def test_markdown_text_is_escaped(value, shown):
    assert md(value) == shown



# ---- the real app on a store of hostile strings (AppTest: what each element would render) -------------
UNESCAPED = ("![t](", "[click](")  # as Markdown these would be an image fetch and a link


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    from tests.hostile_data import hostile_atlas

    path = tmp_path_factory.mktemp("hostile") / "data"
    hostile_atlas().save(path)
    return path


def _markdown_values(at, where) -> list[str]:
    values = [e.value for kind in ("markdown", "caption", "warning", "error", "info", "success", "title", "header",
                                   "subheader") for e in getattr(where, kind)]
    return values + [w.label for kind in ("selectbox", "radio", "checkbox", "date_input", "slider", "button")
                     for w in getattr(where, kind)]


def _run_app(hostile_store, monkeypatch, panel: str | None = None):
    from streamlit.testing.v1 import AppTest

    from tests.hostile_data import DAY

    monkeypatch.setenv("FRONTLINE_DATA", str(hostile_store))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["date"] = DAY.isoformat()
    at.run()
    if panel:
        at.session_state["changes_panel"] = panel
        at.run()
    assert not at.exception, at.exception
    return at


def test_sidebar_and_summary_show_source_names_literally(hostile_store, monkeypatch):
    at = _run_app(hostile_store, monkeypatch)
    summary = [v for v in _markdown_values(at, at.main) if v.startswith("####")]
    shown = _markdown_values(at, at.sidebar) + summary
    assert any("src \\<script\\>" in v for v in shown)  # the name is there, escaped
    assert [v for v in shown if any(u in v for u in UNESCAPED)] == []


@pytest.mark.parametrize("panel", ["What changed", "Sources"])
def test_analysis_panels_show_source_names_literally(hostile_store, monkeypatch, panel):
    at = _run_app(hostile_store, monkeypatch, panel)
    assert [v for v in _markdown_values(at, at.main) if any(u in v for u in UNESCAPED)] == []
