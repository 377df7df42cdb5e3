"""Storage: builds are swapped in whole, the previous one survives a failed build, and builds exclude each other."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from newsscope import storage, tables


def _publish(out: Path, n_articles: int) -> Path:
    folder = storage.new_version(out)
    frame = tables.empty("ingest_log")
    frame = pd.DataFrame({"source_path": ["a"] * n_articles, "source_id": ["a"] * n_articles, "status": ["ok"] * n_articles, "reason": [""] * n_articles, "article_id": [None] * n_articles})
    storage.write_table(folder, "ingest_log", frame)
    storage.write_manifest(folder, {"rows": {"ingest_log": n_articles}})
    storage.publish(out, folder)
    return folder


def test_publish_swaps_the_link_and_keeps_only_current_and_previous(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    first = _publish(out, 1)
    second = _publish(out, 2)
    assert storage.current(out) == second.resolve()
    assert len(storage.read_table(out, "ingest_log")) == 2
    third = _publish(out, 3)
    kept = sorted(p.name for p in (tmp_path / ".processed.versions").iterdir())
    assert kept == sorted([second.name, third.name])
    assert not first.exists()


def test_unfinished_version_is_invisible(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    _publish(out, 1)
    storage.new_version(out)  # a build that died before publishing
    assert storage.read_manifest(storage.current(out)) == {"rows": {"ingest_log": 1}}


def test_a_plain_folder_build_is_adopted(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    out.mkdir()
    storage.write_manifest(out, {"rows": {}})
    _publish(out, 1)
    assert out.is_symlink()


def test_a_foreign_folder_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(FileExistsError, match="not a NewsScope build"):
        _publish(out, 1)
    assert (out / "thesis.docx").read_text() == "precious"


def _hold_lock(out: str, ready, release) -> None:
    with storage.lock(Path(out)):
        ready.set()
        release.wait(10)


def test_a_second_build_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(out), ready, release))
    holder.start()
    try:
        assert ready.wait(20)
        with pytest.raises(storage.BuildLocked, match="another build is writing"):
            with storage.lock(out):
                pass
    finally:
        release.set()
        holder.join(10)
    with storage.lock(out):  # free again
        pass
