"""Writing and reading a build: Parquet tables + manifest.json, swapped in atomically.

Layout: the output path `DIR` is a symbolic link to a version folder `.<DIR name>.versions/<build id>/` beside it.
A build writes a new version folder completely, then replaces the link in one `rename` — so a reader always sees
a whole build, and a build killed at any point leaves the previous one in place. A lock file next to `DIR` keeps
two builds from writing the same output at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from newsscope import tables

MANIFEST = "manifest.json"
CACHE = "_cache"


class BuildLocked(RuntimeError):
    """Another build holds the lock on the same output."""


def _versions(out: Path) -> Path:
    return out.parent / f".{out.name}.versions"


@contextlib.contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold the output's build lock; raise `BuildLocked` at once if another process holds it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.parent / f".{out.name}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLocked(f"another build is writing {out} (process {holder}); wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def waiting_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path`, waiting while another session or process holds it."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


ARCHIVE = "archive"


def archive_folder(out: Path) -> Path:
    """Where the fetcher keeps its WARC files for `out`: beside it, so they outlive each version (a killed fetch resumes)."""
    return out.parent / f".{out.name}.fetch"


def keep_archive(folder: Path, archive: Path) -> None:
    """Link the fetch archive's WARC files into the version `folder` as `archive/` (hard links; copies across devices).

    So `DIR/archive/` is the collection as fetched: a user can keep it and rebuild from it without the network.
    """
    files = sorted(archive.glob("*.warc.gz")) if archive.is_dir() else []
    if not files:
        return
    (folder / ARCHIVE).mkdir(exist_ok=True)
    for path in files:
        target = folder / ARCHIVE / path.name
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def new_version(out: Path) -> Path:
    """A fresh, empty version folder for a build in progress (not visible through `out` until `publish`)."""
    folder = _versions(out) / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    (folder / CACHE).mkdir()
    return folder


def write_table(folder: Path, name: str, frame: pd.DataFrame) -> None:
    pq.write_table(tables.to_arrow(name, frame), folder / f"{name}.parquet", compression="zstd")


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")


def publish(out: Path, folder: Path) -> None:
    """Point `out` at the finished version `folder` atomically, then remove versions nobody points at.

    Note: the version that was current a moment ago is kept until the next build, so a reader that resolved the
    link just before the swap can finish reading it.
    """
    _adopt_plain_folder(out)
    # Called under the build lock: a link file left here was made by a build killed between its two steps below.
    for stale in out.parent.glob(f".{out.name}.link-*"):
        stale.unlink(missing_ok=True)
    _sync(folder)
    link = out.parent / f".{out.name}.link-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(folder, out.parent), link)
    previous = current(out)
    os.replace(link, out)
    _sync_folder(out.parent)
    keep = {folder.resolve()} | ({previous.resolve()} if previous else set())
    for old in _versions(out).iterdir():
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush a version's files to disk before the link points at it.

    A killed process loses nothing the kernel already holds; this is for a machine that loses power, where without
    it the link could be renamed onto disk before the tables it points at (ext4 and XFS may reorder the two).
    """
    for path in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):  # files and subfolders before their folder
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        elif path.is_dir():
            _sync_folder(path)
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _adopt_plain_folder(out: Path) -> None:
    """Move a plain (non-link) output folder into the versions store so that `out` can become a link."""
    if out.is_symlink() or not out.exists():
        return
    if not out.is_dir() or any(out.iterdir()) and not (out / MANIFEST).exists():
        raise FileExistsError(f"{out} exists and is not a NewsScope build; choose another --out or remove it")
    target = _versions(out) / f"adopted-{uuid.uuid4().hex[:8]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(out, target)


def current(out: Path) -> Path | None:
    """The version folder `out` points at now (resolved once, so a reader sticks to one build), or None."""
    if out.is_symlink() or out.is_dir():
        resolved = out.resolve()
        if (resolved / MANIFEST).exists():
            return resolved
    return None


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def read_table(folder: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    path = folder / f"{name}.parquet"
    frame = pq.read_table(path, columns=columns).to_pandas() if path.exists() else tables.empty(name)
    return frame[columns] if columns else frame


def read_cache(folder: Path | None, name: str) -> pd.DataFrame | None:
    path = folder / CACHE / f"{name}.parquet" if folder else None
    return pq.read_table(path).to_pandas() if path and path.exists() else None


def write_cache(folder: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_parquet(folder / CACHE / f"{name}.parquet", index=False, compression="zstd")
