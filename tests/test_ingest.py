"""Ingest: every input unit comes out once, as a document or as a log row with a reason."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from newsscope import ingest

ARTICLE = "Officials said on Tuesday that the talks would resume next month in Geneva."


def _units(path: Path) -> list:
    return list(ingest.read([path]))


@pytest.mark.parametrize(
    "data, expected",
    [
        (ARTICLE.encode("utf-8"), ARTICLE),
        (codecs.BOM_UTF8 + ARTICLE.encode("utf-8"), ARTICLE),
        (ARTICLE.encode("utf-16"), ARTICLE),  # Python writes a BOM for "utf-16"
        ("Café “quoted” – dash".encode("cp1252"), "Café “quoted” – dash"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252"],
)
def test_decode_detects_encodings(data: bytes, expected: str) -> None:
    text, problem = ingest.decode(data)
    assert problem is None
    assert text == expected


@pytest.mark.parametrize(
    "name, data, status, reason_part",
    [
        ("empty.txt", b"", "empty", "0 bytes"),
        ("blank.txt", b"   \n\t \n", "empty", "whitespace"),
        ("binary.txt", bytes(range(256)) * 4, "not_text", "binary"),
        ("picture.png", b"\x89PNG\r\n", "not_text", "unsupported file type"),
        ("broken.json", b'{"text": "a', "unreadable", "invalid JSON"),
    ],
)
def test_bad_files_get_a_reason(tmp_path: Path, name: str, data: bytes, status: str, reason_part: str) -> None:
    (tmp_path / name).write_bytes(data)
    [row] = _units(tmp_path)
    assert isinstance(row, ingest.LogRow)
    assert row.status == status
    assert reason_part in row.reason


def test_jsonl_keeps_good_records_next_to_a_broken_line(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "text": ARTICLE, "outlet": "AP", "published": "2024-05-01"}), "{not json", json.dumps({"id": "b", "body": ARTICLE + " More."})]
    (tmp_path / "corpus.jsonl").write_text("\n".join(lines), encoding="utf-8")
    units = _units(tmp_path)
    assert [type(u).__name__ for u in units] == ["RawDocument", "LogRow", "RawDocument"]
    assert units[0].source_id == "a" and units[0].meta == {"published": "2024-05-01", "outlet": "AP"}
    assert units[1].source_id == "corpus.jsonl#2" and "line 2" in units[1].reason
    assert units[2].content.endswith("More.")


@pytest.mark.parametrize(
    "record, status",
    [
        ({"title": "no text"}, "unreadable"),
        ({"text": 42}, "unreadable"),
        ({"text": ""}, "empty"),
        (["a", "list"], "unreadable"),
    ],
)
def test_json_records_of_the_wrong_shape(tmp_path: Path, record: object, status: str) -> None:
    (tmp_path / "one.json").write_text(json.dumps([record]), encoding="utf-8")
    [row] = _units(tmp_path)
    assert isinstance(row, ingest.LogRow) and row.status == status and row.reason


def test_json_object_list_and_wrapper(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"text": ARTICLE, "source": {"id": "x", "name": "Reuters"}}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"articles": [{"content": ARTICLE}, {"content": ARTICLE + "!"}]}), encoding="utf-8")
    units = _units(tmp_path)
    assert [u.source_id for u in units] == ["a.json#1", "b.json#1", "b.json#2"]
    assert units[0].meta["outlet"] == "Reuters"


def test_csv_with_bom_quotes_and_embedded_newlines(tmp_path: Path) -> None:
    text = 'id,title,text,date\r\n1,"A ""quoted"" title","First paragraph.\nSecond, with a comma.",2024-01-02\r\n'
    (tmp_path / "c.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    [doc] = _units(tmp_path)
    assert doc.content == "First paragraph.\nSecond, with a comma."
    assert doc.meta == {"published": "2024-01-02", "title": 'A "quoted" title'}


def test_sidecar_metadata_applies_by_file_name_and_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,outlet,published,title,url\nstory.txt,DoD News,2024-10-23,,\n", encoding="utf-8")
    [doc] = _units(tmp_path)
    assert doc.meta == {"outlet": "DoD News", "published": "2024-10-23"}


def test_symlink_loop_is_logged_not_followed_forever(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "story.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    units = _units(tmp_path)
    docs = [u for u in units if isinstance(u, ingest.RawDocument)]
    [loop] = [u for u in units if isinstance(u, ingest.LogRow)]
    assert len(docs) == 1 and "loop" in loop.reason


def test_too_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_DOCUMENT_BYTES", 100)
    (tmp_path / "big.txt").write_text("word " * 100, encoding="utf-8")
    [row] = _units(tmp_path)
    assert row.status == "too_large" and "500 bytes" in row.reason


def test_missing_input_path(tmp_path: Path) -> None:
    [row] = _units(tmp_path / "nope")
    assert row.status == "unreadable" and "no such file" in row.reason
