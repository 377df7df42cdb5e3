"""Near-duplicate stories: rewritten copies are paired, different stories on one topic are not."""

from __future__ import annotations

from newsscope import dedupe
from conftest import SAMPLE


def test_sample_pairs_only_the_rewritten_story() -> None:
    bodies = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))}
    pairs = dedupe.near_duplicates(bodies)
    assert [(a, b) for a, b, _ in pairs] == [("000", "001")]
    story = dedupe.stories(bodies, pairs)
    assert story["000"] == story["001"]
    assert len(set(story.values())) == 4


def test_short_texts_are_never_paired() -> None:
    assert dedupe.near_duplicates({"a": "Biden spoke.", "b": "Biden spoke."}) == []


def test_stories_are_connected_components() -> None:
    story = dedupe.stories(["a", "b", "c", "d"], [("a", "b", 0.5), ("b", "c", 0.4)])
    assert story["a"] == story["b"] == story["c"] != story["d"]
