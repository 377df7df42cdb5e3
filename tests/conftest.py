"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "data" / "sample" / "raw"


@pytest.fixture(scope="session")
def nlp():
    """The configured spaCy pipeline, loaded once for the session."""
    from newsscope.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seeds_gold() -> dict:
    import json

    return json.loads((ROOT / "tests" / "data" / "seeds_gold.json").read_text(encoding="utf-8"))


def shared_file(*parts: str) -> Path:
    """A file of ../shared (dev data); tests that need it skip with a reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (the shared dev data sits beside the repository)")
    return path
