"""The hosted path, as Streamlit Community Cloud runs it (issue 11): a fresh venv from requirements.txt alone.

A copy of the checkout gets a new venv with `pip install -r requirements.txt` and nothing else, then
- `streamlit run app.py` headless, read-only, with no build present: the first visitor of a new deployment, who
  waits for the bundled sample to build and then opens every page;
- `newsscope serve DIR --read-only` on a user's build.
Every page must render in Chromium with its title and no exception element.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, serve
from test_browser import no_exception, shot, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1800)]

READ_ONLY_PAGES = {"overview": "", "timeline": "timeline", "actors": "actors", "quotes": "quotes", "coverage": "coverage", "articles": "articles"}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> tuple[Path, str]:
    """`(checkout, python)`: the repository's files as git has them, in a venv made from requirements.txt alone."""
    where = tmp_path_factory.mktemp("cloud")
    checkout = where / "app"
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    base = getattr(sys, "_base_executable", None) or shutil.which("python3.11") or "python3"
    subprocess.run([base, "-m", "venv", str(where / "venv")], check=True)
    python = str(where / "venv" / "bin" / "python")
    for step in (["-m", "pip", "install", "--quiet", "-r", "requirements.txt"], ["-m", "pip", "check"]):
        done = subprocess.run([python, *step], cwd=checkout, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, f"{' '.join(step)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert not (checkout / "data" / "processed").exists(), "a fresh deployment has no build"
    return checkout, python


def visit_every_page(base: str, page, label: str) -> None:
    for name, path in READ_ONLY_PAGES.items():
        page.goto(f"{base}/{path}")
        wait_idle(page, timeout=180_000)  # the first visit of a fresh deployment builds the sample
        no_exception(page)
        shot(page, f"{label}-{name}")
        assert page.locator("h1").first.inner_text().strip().lower().replace(" ", "_") == name
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Timeline" in nav and "Add articles" not in nav, "a hosted (read-only) app takes no uploads"


def test_a_fresh_cloud_deployment_serves_every_page(deployment, page, tmp_path):
    checkout, python = deployment
    with serve(None, tmp_path / "streamlit.log", read_only=True, python=python, root=checkout) as base:
        visit_every_page(base, page, "cloud")
    assert (checkout / "data" / "processed").exists(), "the first visit built the bundled sample"


def test_newsscope_serve_on_a_users_build(deployment, page, sample_build, tmp_path):
    checkout, python = deployment
    with serve(sample_build, tmp_path / "streamlit.log", read_only=True, python=python, root=checkout, cli=True) as base:
        visit_every_page(base, page, "serve")
