"""Hostile input: every input unit ends as an article or as one `ingest_log` row with a reason; the build never crashes.

`tests/fixtures/hostile/` holds the cases a repository can carry. `hostile_folder` copies it to a temporary folder
and adds the ones it cannot: a 50 MB file, binary and NUL bytes, undecodable bytes, an unreadable file and folder,
symbolic link loops, a named pipe, a file name that is not UTF-8, JSON that breaks the parser's limits.

The whole folder is built once, by the CLI in a subprocess. Tests here run as root, where file permissions do not
bind; the build runs without the two capabilities that let root ignore them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
so the unreadable file is unreadable for it as it would be for any user.
"""

from __future__ import annotations

import ctypes
import datetime
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from newsscope import ingest, storage, tables

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
NOT_UTF8_NAME = os.fsdecode(b"bad\xff name.txt")  # a Latin-1 file name on a UTF-8 system
BIG_BYTES = 50 * 1024 * 1024

# Distinct articles for the generated files (near-duplicates would share dates and stories).
INVALID_UTF8 = (
    "The Scottish government said it would pay for a new lifeboat station on the island of Barra, after volunteers "
    "complained that the nearest crew was two hours away. \u201cThis is about saving lives at sea,\u201d said the "
    "islands minister, who met the volunteers at the caf\u00e9 beside the pier.\n"
)
NOT_UTF8_NAMED = (
    "Engineers in the Netherlands finished raising a dike near the village of Marken by half a metre, the water board "
    "said, completing a five-year project meant to protect the island from storm surges until the end of the century.\n"
)
BIGINT_GOOD = (
    "A court in Lisbon fined a construction company for cutting down protected cork oaks to make room for a solar "
    "farm, and ordered it to plant three trees for every one it had felled on the site in the Alentejo.\n"
)
SIDECAR_STORY = (
    "Lithuania's railway company opened a night train from Vilnius to the Baltic coast, the first direct service in "
    "thirty years, and said tickets for the summer weekends had sold out within a day of going on sale.\n"
)
LONG_TEXT = "Officials said the talks would continue. " * 30_000  # 1.23 million characters: more than spaCy takes
SURROGATE = (
    "Reindeer herders in northern Sweden asked the government to halt a new iron mine, saying the \ud800 access road "
    "would cut across the migration route their animals have used for centuries between summer and winter pastures."
)


@dataclass(frozen=True)
class Unit:
    """One input unit and what the build must make of it."""

    source_id: str
    status: str
    reason: str = ""  # a part of the reason
    body: str | None = None  # a part of the article body (ok units)
    published: str | None = "any"  # "any", None (must be null) or an ISO date


NOT_UNDERSTOOD = "not understood; left empty"

UNITS = [
    # committed in tests/fixtures/hostile/
    Unit("empty.txt", "empty", "0 bytes"),
    Unit("whitespace_only.txt", "empty", "only whitespace"),
    Unit("one_char.txt", "empty", "no article text left"),
    Unit("cp1252.txt", "ok", body="\u201cWe are not asking for a fortune \u2013 we are asking"),
    Unit("utf16_bom.txt", "ok", body="the council\u2019s diesel bill"),
    Unit("russian.txt", "ok", "language detected as 'ru': quotes, actors and dates in the text skipped"),
    Unit("korean.txt", "ok", "language detected as 'ko'"),
    Unit("script_style_iframe.html", "empty"),
    Unit("malformed.html", "ok", body="Callum Fraser"),
    # An unclosed <title> swallows the page, as in a browser (the title element's text runs to the end of the file).
    Unit("unclosed_title.html", "empty", "no article text left"),
    Unit("xml_declared.xhtml", "ok", body="Siobhan Keane"),
    Unit("absurd_meta_date.html", "ok", body="Elina Virtanen", published=None),
    Unit("wrong_shape.json#1", "unreadable", "has no text field"),
    Unit("rec-good", "ok", body="Javier Morales"),
    Unit("rec-no-text", "unreadable", "has no text field"),
    Unit("rec-int-text", "unreadable", "is int, expected a string"),
    Unit("rec-null-text", "empty", "empty 'text' field"),
    Unit("rec-list-text", "unreadable", "is list, expected a string"),
    Unit("records.json#6", "unreadable", "is a str, expected an object"),
    Unit("rec-blank-text", "empty", "empty 'text' field"),
    Unit("rec-dict-text", "unreadable", "is dict, expected a string"),
    Unit("jl-first", "ok", body="Quebrada Blanca"),
    Unit("one_broken_line.jsonl#2", "unreadable", "invalid JSON on line 2"),
    Unit("one_broken_line.jsonl#3", "unreadable", "is a int, expected an object"),
    Unit("jl-last", "ok", body="free midday meal"),
    Unit("csv-1", "ok", body='what she called a "quiet budget"', published="2024-10-07"),
    Unit("csv-2", "ok", body='"late, over budget, but finished"', published="2024-06-12"),
    Unit("csv-short", "empty", "empty 'text' field"),
    Unit("header_only.csv", "empty", "holds no records"),
    Unit("empty_list.json", "empty", "holds no records"),
    Unit("dup_first.txt", "ok", body="Lucia Ortega"),
    Unit("dup_second.txt", "duplicate", "same text as dup_first.txt"),
    Unit("notes.docx", "not_text", "unsupported file type '.docx'"),
    Unit("README", "not_text", "unsupported file type '(none)'"),
    Unit("date-control", "ok", body="desalination plants", published="2024-03-05"),
    Unit("date-impossible", "ok", NOT_UNDERSTOOD, body="methanol", published=None),
    Unit("date-year-one", "ok", NOT_UNDERSTOOD, body="wooden synagogue", published=None),
    Unit("date-far-future", "ok", NOT_UNDERSTOOD, body="Reykjanes", published=None),
    Unit("date-next-century", "ok", NOT_UNDERSTOOD, body="faulty transformer", published=None),
    Unit("date-feb-30", "ok", NOT_UNDERSTOOD, body="driverless trains", published=None),
    Unit("date-epoch-number", "ok", NOT_UNDERSTOOD, body="orange-bellied parrots", published=None),
    Unit("sidecar_dated/story.txt", "ok", NOT_UNDERSTOOD, body="medieval manuscripts", published=None),
    Unit("ünïcödé folder/статья с пробелами.txt", "ok", body="history of the typewriter"),
    # generated by `hostile_folder`
    Unit("binary_named.txt", "not_text", "binary data"),
    Unit("nul_bytes.txt", "not_text", "NUL bytes"),
    Unit("invalid_utf8.txt", "ok", body="\u201cThis is about saving lives at sea,\u201d"),
    Unit("undecodable.txt", "not_text", "neither UTF-8 nor cp1252"),
    Unit("utf16_truncated.txt", "not_text", "invalid utf-16 after its byte-order mark"),
    Unit("big_50mb.txt", "too_large", f"file is {BIG_BYTES:,} bytes"),
    Unit("unreadable.txt", "unreadable", "Permission denied"),
    Unit("shut", "unreadable", "cannot list folder: Permission denied"),
    Unit("loop/back", "unreadable", "symbolic link loop"),
    Unit("self_link.txt", "unreadable", "symbolic link loop"),
    Unit("dangling.txt", "unreadable", "broken symbolic link"),
    Unit("pipe.txt", "unreadable", "not a regular file (named pipe)"),
    Unit("bad\\xff name.txt", "ok", body="dike near the village of Marken"),
    Unit("nested.json", "unreadable", "nested too deeply"),
    Unit("bigint.jsonl#1", "unreadable", "integer string conversion"),
    Unit("bigint-good", "ok", body="cork oaks"),
    Unit("surrogate-text", "ok", body="the \ufffd access road"),
    Unit("long_text.txt", "too_large", "text is 1,230,000 characters; the limit for one article is 1,000,000"),
    Unit("long-record", "too_large", "record 1: text is 1,230,000 characters"),
    # its metadata.jsonl has lines that are not JSON, too deep, with a too-long integer, with a non-string file name
    Unit("sidecar_hostile/story.txt", "ok", body="night train from Vilnius", published="2024-09-14"),
]


def write_generated(folder: Path) -> None:
    """Write the cases a repository cannot sensibly carry into `folder`."""
    # Control bytes that cp1252 can decode and no NUL: caught by the share of control characters, not by the NUL test.
    (folder / "binary_named.txt").write_bytes(bytes(b for b in range(1, 256) if b not in b"\x81\x8d\x8f\x90\x9d") * 64)
    (folder / "nul_bytes.txt").write_bytes(b"Officials said\x00 the talks\x00 would resume.\x00" * 20)
    (folder / "invalid_utf8.txt").write_bytes(INVALID_UTF8.encode("utf-8").replace(b"Barra,", b"Barra\xff,"))
    (folder / "undecodable.txt").write_bytes(b"Caf\xe9 \x81\x8d\x8f\x90\x9d news " * 10)  # five bytes cp1252 leaves undefined
    (folder / "utf16_truncated.txt").write_bytes("A sentence cut in half.".encode("utf-16")[:-1])
    with open(folder / "big_50mb.txt", "wb") as big:
        line = b"The quick brown fox reported from the scene, officials said.\n"
        big.write(line * (BIG_BYTES // len(line)))
        big.write(b"x" * (BIG_BYTES % len(line)))
    (folder / "unreadable.txt").write_text("Officials said the talks would resume next month in Geneva.", encoding="utf-8")
    (folder / "unreadable.txt").chmod(0)
    (folder / "shut").mkdir()
    (folder / "shut" / "hidden_story.txt").write_text("Officials said the talks would resume next month.", encoding="utf-8")
    (folder / "shut").chmod(0)
    (folder / "loop").mkdir()
    (folder / "loop" / "back").symlink_to("..", target_is_directory=True)
    (folder / "self_link.txt").symlink_to("self_link.txt")
    (folder / "dangling.txt").symlink_to("gone.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / NOT_UTF8_NAME).write_text(NOT_UTF8_NAMED, encoding="utf-8")
    (folder / "nested.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "bigint.jsonl").write_text(
        '{"id": ' + "9" * 4400 + ', "text": "a record whose id Python\'s JSON parser refuses"}\n' + json.dumps({"id": "bigint-good", "text": BIGINT_GOOD}) + "\n",
        encoding="utf-8",
    )
    (folder / "long_text.txt").write_text(LONG_TEXT, encoding="utf-8")
    (folder / "long_record.jsonl").write_text(json.dumps({"id": "long-record", "text": LONG_TEXT}) + "\n", encoding="utf-8")
    (folder / "sidecar_hostile").mkdir()
    (folder / "sidecar_hostile" / "story.txt").write_text(SIDECAR_STORY, encoding="utf-8")
    sidecar = [
        '{"file": 5, "outlet": "a number is not a file name"}',
        '{"file": ["story.txt"], "outlet": "nor is a list"}',
        '{"file": "story.txt", "id": ' + "9" * 4400 + "}",
        "[" * 100_000,
        '{"file": "story.txt", "outlet": "broken',
        json.dumps({"file": "story.txt", "outlet": "LRT", "published": "2024-09-14"}),
    ]
    (folder / "sidecar_hostile" / "metadata.jsonl").write_text("\n".join(sidecar) + "\n", encoding="utf-8")
    (folder / "surrogate.jsonl").write_text(json.dumps({"id": "surrogate-text", "text": SURROGATE}) + "\n", encoding="utf-8")


def _without_root_file_access() -> None:
    """preexec_fn: drop the capabilities that let root read any file, so permissions bind as for anyone else."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone for good after the exec
            raise OSError(ctypes.get_errno(), "cannot drop capability")


def run_unprivileged(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run `command` as this user, but as root without the power to ignore file permissions."""
    return subprocess.run(command, preexec_fn=_without_root_file_access if os.geteuid() == 0 else None, **kwargs)


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "input"
    shutil.copytree(FIXTURES, folder, symlinks=True)
    write_generated(folder)
    yield folder
    for path in (folder / "shut", folder / "unreadable.txt"):
        path.chmod(0o700)  # so that pytest can clean up


@dataclass(frozen=True)
class Built:
    process: subprocess.CompletedProcess
    log: pd.DataFrame
    articles: pd.DataFrame
    manifest: dict


@pytest.fixture(scope="module")
def built(hostile_folder: Path) -> Built:
    """The whole hostile folder built at once by `newsscope build`, as a user that permissions bind."""
    out = hostile_folder.parent / "out"
    process = run_unprivileged(
        [sys.executable, "-m", "newsscope.cli", "build", str(hostile_folder), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    version = storage.current(out)
    assert version is not None, f"no build published; exit {process.returncode}\n{process.stderr[-3000:]}"
    return Built(process, pq.read_table(version / "ingest_log.parquet").to_pandas(), pq.read_table(version / "articles.parquet").to_pandas(), storage.read_manifest(version))


def test_unprivileged_run_cannot_read_an_unreadable_file(tmp_path: Path) -> None:
    """The premise of the permission cases: without the check, they would pass for the wrong reason."""
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    secret.chmod(0)
    process = run_unprivileged([sys.executable, "-c", f"open({str(secret)!r}).read()"], capture_output=True, text=True, timeout=60)
    assert process.returncode != 0 and "PermissionError" in process.stderr


def test_the_build_exits_cleanly(built: Built) -> None:
    assert built.process.returncode == 0, built.process.stderr[-3000:]
    assert "Traceback" not in built.process.stderr


def test_every_input_unit_has_exactly_one_log_row(built: Built) -> None:
    # Counted by hand, not from UNITS: 25 committed files + 17 generated = 42 files (sidecars are none).
    # 5 of them hold several records: records.json 8, one_broken_line.jsonl 4 (its blank line is none), quoted.csv 3,
    # dates.jsonl 7, bigint.jsonl 2. Two folders are units of their own: shut/ (cannot be listed), loop/back (a loop).
    units = (42 - 5) + (8 + 4 + 3 + 7 + 2) + 2
    assert len(built.log) == units
    assert sorted(built.log["source_id"]) == sorted(u.source_id for u in UNITS)


@pytest.mark.parametrize("unit", UNITS, ids=[u.source_id for u in UNITS])
def test_hostile_unit(built: Built, unit: Unit) -> None:
    rows = built.log[built.log["source_id"] == unit.source_id]
    assert len(rows) == 1, f"{unit.source_id}: {len(rows)} log rows\n{built.log.to_string()}"
    row = rows.iloc[0]
    assert row["status"] == unit.status, row.to_dict()
    assert unit.reason in row["reason"], row.to_dict()
    if unit.status != "ok":
        assert row["reason"].strip(), "a unit that is not an article must say why"
        return
    [article] = built.articles[built.articles["article_id"] == row["article_id"]].to_dict("records")
    assert unit.body is None or unit.body in article["body"]
    if unit.published != "any":
        expected = None if unit.published is None else datetime.date.fromisoformat(unit.published)
        assert (None if pd.isna(article["published"]) else article["published"]) == expected


def test_articles_are_exactly_the_ok_rows(built: Built) -> None:
    ok = built.log[built.log["status"] == "ok"]
    assert sorted(ok["article_id"]) == sorted(built.articles["article_id"])
    assert built.manifest["rows"]["ingest_log"] == len(built.log)
    assert set(built.log["status"]) <= set(tables.STATUSES)


def test_no_article_has_an_absurd_date(built: Built) -> None:
    dates = built.articles["published"].dropna()
    assert len(dates) >= 3
    assert dates.map(lambda d: datetime.date(1800, 1, 1) <= d <= datetime.date.today() + datetime.timedelta(days=366)).all()


def test_a_folder_without_a_single_article_fails_with_reasons_not_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 binary")
    out = tmp_path / "out"
    process = subprocess.run([sys.executable, "-m", "newsscope.cli", "build", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert "Traceback" not in process.stderr, process.stderr[-2000:]
    assert process.returncode == 1 and "no article could be read" in process.stderr
    version = storage.current(out)
    assert version is not None, "the ingest log of a build without articles is published, so the reasons can be read"
    log = pq.read_table(version / "ingest_log.parquet").to_pandas()
    assert sorted(log["status"]) == ["empty", "not_text"]


def test_a_named_pipe_given_as_input_is_logged_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    [row] = list(ingest.read([pipe]))
    assert row.status == "unreadable" and "named pipe" in row.reason
