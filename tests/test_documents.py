import codecs
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.documents import load_paths, read_bytes

from .conftest import SEED


def test_seed_front_matter_is_metadata_not_text():
    result = load_paths([SEED])
    assert result.errors == []
    (doc,) = result.documents
    assert doc.source == "AFP" and doc.published == "2019-02-17" and "Baghouz" in doc.title
    assert doc.text.startswith("Diehard jihadists") and "---" not in doc.text[:10]


def test_jsonl_ids_fields_and_spans():
    lines = [
        {"id": "a", "text": "Paris is big.", "title": "T", "published": "2020-01-01", "source": "S"},
        {"doc_id": 7, "text": "Rome.", "spans": [[0, 4]]},
        {"text": "Oslo."},
    ]
    result = read_bytes("in.jsonl", "\n".join(json.dumps(x) for x in lines).encode())
    assert result.errors == []
    assert [d.id for d in result.documents] == ["a", "7", "3"]
    assert result.documents[0].published == "2020-01-01"
    assert result.documents[1].spans == ((0, 4),)


def test_jsonl_bad_lines_are_named_and_good_ones_load():
    data = "\n".join([
        '{"text": "good one"}',
        '{"text": broken',
        "[1, 2]",
        '{"title": "no text"}',
        '{"text": 42}',
        '{"text": "abc", "spans": [[2, 9]]}',
        '{"text": "good two"}',
    ]).encode()
    result = read_bytes("feed.jsonl", data)
    assert [d.text for d in result.documents] == ["good one", "good two"]
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("feed.jsonl:2: broken JSON")
    assert messages[1] == "feed.jsonl:3: expected a JSON object, got list"
    assert messages[2] == "feed.jsonl:4: no `text` field"
    assert messages[3] == "feed.jsonl:5: `text` must be a string, got int"
    assert messages[4].startswith("feed.jsonl:6: span [2, 9] is outside the text")


def test_csv_text_column_quoted_newlines_and_bad_row():
    data = ('title,Text,date\n"One","Line one\nline two",2020-01-02\n"Bad","x","y","z"\n"Two","Body two",\n'
            .encode())
    result = read_bytes("news.csv", data)
    assert [d.title for d in result.documents] == ["One", "Two"]
    assert result.documents[0].text == "Line one\nline two"
    assert result.documents[0].published == "2020-01-02"
    assert [str(e) for e in result.errors] == ["news.csv:4: 4 fields where the header has 3"]


def test_an_articles_address_is_read_from_every_format_and_a_bad_one_is_a_note(tmp_path: Path) -> None:
    """`url` (or `link`): the article's address, kept when it is http(s); anything else ("javascript:")
    is a note naming file and line, and the article loads without it."""
    (tmp_path / "a.md").write_text("---\ntitle: T\nurl: https://www.bbc.co.uk/news/1\n---\nIn Suffolk.\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "In Cairo.", "link": "http://ahram.org.eg/2"}) + "\n"
                                      + json.dumps({"text": "In Amman.", "url": "javascript:alert(1)"}) + "\n")
    (tmp_path / "c.csv").write_text("text,url\nIn Berlin.,https://taz.de/3\nIn Rome.,\n")
    loaded = load_paths([tmp_path])
    assert not loaded.errors and len(loaded.documents) == 5
    assert [d.url for d in loaded.documents] == ["https://www.bbc.co.uk/news/1", "http://ahram.org.eg/2", None,
                                                 "https://taz.de/3", None]
    (note,) = loaded.notes
    assert str(note).startswith(f"{tmp_path / 'b.jsonl'}:2: `url` is no http(s) address ('javascript:alert(1)')")


def test_csv_without_text_column():
    result = read_bytes("x.csv", b"title,url\na,b\n")
    assert result.documents == []
    assert "no text column" in str(result.errors[0]) and "x.csv:1" in str(result.errors[0])


def test_binary_empty_and_unknown_files_are_refused_with_a_reason():
    assert "PDF" in str(read_bytes("a.txt", b"%PDF-1.4 ...").errors[0])
    assert "PNG" in str(read_bytes("a.txt", b"\x89PNG\r\n\x1a\n....").errors[0])
    assert "zip" in str(read_bytes("a.txt", b"PK\x03\x04....").errors[0])
    assert "empty" in str(read_bytes("a.txt", b"  \n\t ").errors[0])
    assert "unsupported file type .docx" in str(read_bytes("a.docx", b"hello").errors[0])


def test_encodings_are_decoded():
    text = "Café in Zürich"
    for data in (text.encode("cp1252"), codecs.BOM_UTF16_LE + text.encode("utf-16-le"), text.encode("utf-8-sig")):
        result = read_bytes("a.txt", data)
        assert result.documents[0].text == text
    assert "Windows-1252" in str(read_bytes("a.txt", text.encode("cp1252")).notes[0])


def test_mixed_line_endings_are_unified():
    (doc,) = read_bytes("a.txt", b"one\r\ntwo\rthree\nfour").documents
    assert doc.text == "one\ntwo\nthree\nfour"


def test_nul_bytes_in_text():
    (doc,) = read_bytes("a.txt", b"Paris\x00 and Rome " * 3).documents
    assert "\x00" not in doc.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.txt", "a.jsonl", "a.csv", "a.md"]))
def test_loaders_never_crash(data, name):
    result = read_bytes(name, data)
    for doc in result.documents:
        assert isinstance(doc.text, str) and doc.text.strip()
        for start, end in doc.spans or ():
            assert 0 <= start < end <= len(doc.text)
