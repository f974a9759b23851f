"""Article files as hostile input: every bad line is an error naming file and line, never an exception,
and the good documents of the same file still load."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import random
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.documents import BINARY_MAGIC, LoadResult, load_paths, read_bytes

STRING_FIELDS = ("id", "text", "title", "published", "source", "origin")
BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)


def jsonl(*lines: object) -> bytes:
    return "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines).encode()


def assert_valid_unicode(result: LoadResult) -> None:
    """Everything a store or a JSON writer gets encodes as UTF-8."""
    for doc in result.documents:
        for name in STRING_FIELDS:
            value = getattr(doc, name)
            assert value is None or value.encode("utf-8"), name
    for error in result.errors + result.notes:
        str(error).encode("utf-8")


def errors(result: LoadResult) -> list[tuple[int | None, str]]:
    return [(e.line, e.message) for e in result.errors]


def load_soon(paths: list[Path], fifos: tuple[Path, ...] = ()) -> LoadResult:
    """`load_paths` in a thread that must end within 10 s (it must never wait on a pipe)."""
    box: dict[str, LoadResult] = {}
    thread = threading.Thread(target=lambda: box.update(result=load_paths(paths)), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        for fifo in fifos:  # let the stuck reader see the end of the pipe
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        pytest.fail("load_paths is waiting on a pipe or device")
    return box["result"]


# -- 1. lone surrogates -----------------------------------------------------------------------------


def test_lone_surrogates_in_any_jsonl_field_refuse_that_line_only():
    bad = "Paris \ud800 Rome"
    result = read_bytes("feed.jsonl", jsonl(
        {"text": bad}, {"text": "Oslo.", "title": bad}, {"text": "Oslo.", "source": bad},
        {"text": "Oslo.", "id": bad}, {"text": "Oslo.", "published": bad}, {"text": "Lima.", "date": "\udfff"},
        {"text": "Good one.", "title": "T"}))
    assert [d.text for d in result.documents] == ["Good one."]
    assert [e.line for e in result.errors] == [1, 2, 3, 4, 5, 6]
    assert all(m.startswith("invalid Unicode (lone surrogate U+D") for _, m in errors(result))
    assert "`title`" in result.errors[1].message and "`published`" in result.errors[5].message
    assert_valid_unicode(result)


def test_a_surrogate_pair_written_as_two_escapes_is_one_valid_character():
    (doc,) = read_bytes("feed.jsonl", b'{"text": "Smile \\ud83d\\ude00"}').documents
    assert doc.text == "Smile \U0001F600"


# -- 2. file names that are not UTF-8 ---------------------------------------------------------------


def test_file_names_that_are_not_utf8_load_with_the_bytes_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bad = os.path.join(os.fsencode(folder), b"bad\xff.txt")
    with open(bad, "wb") as handle:
        handle.write(b"Talks in Oslo.")
    (folder / "good.txt").write_text("Aid reached Lima.")
    for paths in ([folder], [Path(os.fsdecode(bad)), folder / "good.txt"]):
        result = load_paths(paths)
        assert result.errors == []
        assert sorted(d.text for d in result.documents) == ["Aid reached Lima.", "Talks in Oslo."]
        (doc,) = [d for d in result.documents if d.text == "Talks in Oslo."]
        assert doc.id == doc.title == "bad\\xff" and doc.origin.endswith("bad\\xff.txt")
        assert_valid_unicode(result)


def test_errors_about_a_file_name_that_is_not_utf8_can_be_printed(tmp_path):
    bad = os.path.join(os.fsencode(tmp_path), b"empty\xfe.txt")
    open(bad, "wb").close()
    result = load_paths([os.fsdecode(bad)])
    (error,) = result.errors
    assert str(error).endswith("empty\\xfe.txt: empty: no text to read")
    assert_valid_unicode(read_bytes("odd\udcff\ud800.jsonl", b'{"text": "Oslo."}'))


# -- 3. nesting and numbers the JSON reader cannot take -------------------------------------------


def test_json_nested_too_deeply_or_with_huge_numbers_is_an_error_for_its_line():
    result = read_bytes("feed.jsonl", jsonl(
        "[" * 100_000, '{"text": ' + "[" * 100_000, '{"text": "Oslo.", "id": ' + "7" * 5000 + "}",
        {"text": "Talks in Oslo."}))
    assert [d.text for d in result.documents] == ["Talks in Oslo."]
    assert errors(result) == [(1, "broken JSON (nested too deeply)"), (2, "broken JSON (nested too deeply)"),
                              (3, "broken JSON (a number too long to read)")]


# -- 4. pipes and devices ---------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_pipes_and_devices_are_never_read(tmp_path):
    fifo = tmp_path / "a.txt"
    os.mkfifo(fifo)
    null_link = tmp_path / "null.txt"
    null_link.symlink_to("/dev/null")
    result = load_soon([fifo, null_link, Path("/dev/zero"), Path("/dev/urandom")], (fifo,))
    assert result.documents == []
    assert [e.path for e in result.errors] == [str(fifo), str(null_link), "/dev/zero", "/dev/urandom"]
    assert all("not a regular file" in e.message for e in result.errors)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_pipes_and_devices_inside_a_folder_are_skipped(tmp_path):
    os.mkfifo(tmp_path / "x.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "real.txt").write_text("Talks in Oslo.")
    result = load_soon([tmp_path], (tmp_path / "x.txt",))
    assert result.errors == []
    assert [d.text for d in result.documents] == ["Talks in Oslo."]


# -- 5. CSV quotes ----------------------------------------------------------------------------------


def test_csv_unmatched_quote_is_named_and_the_rows_it_swallowed_still_load():
    data = b'id,text\n1,Talks in Oslo.\n2,"Shelling in Idlib,2019\n3,Aid reached Lima.\n4,Rain in Rome.\n'
    result = read_bytes("news.csv", data)
    assert [(d.id, d.text) for d in result.documents] == [
        ("1", "Talks in Oslo."), ("3", "Aid reached Lima."), ("4", "Rain in Rome.")]
    assert [str(e) for e in result.errors] == ["news.csv:3: unmatched quote: the row starting on this line "
                                               "ran on to line 5"]


def test_csv_quote_left_open_up_to_a_later_quote_or_on_the_last_line():
    result = read_bytes("news.csv", b'id,text\n1,"Shelling in Idlib\n2,ok\n3,"closed"\n4,fine\n5,"open')
    assert [(d.id, d.text) for d in result.documents] == [("2", "ok"), ("3", "closed"), ("4", "fine")]
    assert errors(result) == [(2, "unmatched quote: the row starting on this line ran on to line 4"),
                              (6, "unmatched quote in this row")]


def test_csv_legitimate_multiline_quoted_fields_still_load():
    data = b'id,title,text\r\n1,"A, B","Para one, with a comma\r\n2,not a row\r\n""quoted"""\r\n2,T,"Two\n"\r\n'
    result = read_bytes("news.csv", data)
    assert result.errors == []
    assert [(d.id, d.title, d.text) for d in result.documents] == [
        ("1", "A, B", 'Para one, with a comma\n2,not a row\n"quoted"'), ("2", "T", "Two\n")]


# -- 6. binary data ---------------------------------------------------------------------------------


def test_random_bytes_are_refused_as_binary_not_stored_as_gibberish():
    rng = random.Random(7)
    for _ in range(5):
        blob = rng.randbytes(4096)
        if blob.startswith(tuple(BINARY_MAGIC) + BOMS):
            continue
        result = read_bytes("blob.txt", blob)
        assert result.documents == []
        assert errors(result) == [(None, "binary data, not text")]
    result = read_bytes("feed.jsonl", jsonl({"text": "\x01\x02\x1b" * 5 + "Oslo"}, {"text": "Talks in Oslo."}))
    assert errors(result) == [(1, "binary data, not text")]
    assert [d.text for d in result.documents] == ["Talks in Oslo."]


# -- 7. UTF-32 --------------------------------------------------------------------------------------


def test_utf32_with_a_bom_is_decoded_as_utf32():
    text = "Café in Zürich, 北京 and 🌍"
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")):
        result = read_bytes("a.txt", bom + text.encode(codec))
        assert result.errors == [] and result.notes == []
        assert [d.text for d in result.documents] == [text]
    (doc,) = read_bytes("a.txt", codecs.BOM_UTF16_LE + "\x00Rome".encode("utf-16-le")).documents
    assert doc.text.strip() == "Rome"  # a UTF-16 text starting with NUL is not taken for UTF-32


# -- 8. duplicate spans -----------------------------------------------------------------------------


def test_duplicate_spans_are_dropped_in_order():
    (doc,) = read_bytes("a.jsonl", jsonl({"text": "Paris and Rome", "spans": [[10, 14], [0, 5], [10, 14]]})).documents
    assert doc.spans == ((10, 14), (0, 5))


# -- 9. values that are not strings -----------------------------------------------------------------


def test_nan_infinity_and_null_are_missing_values_not_text():
    line = '{"text": "Talks in Oslo.", "title": NaN, "source": Infinity, "published": null, "date": -Infinity}'
    (doc,) = read_bytes("a.jsonl", line.encode()).documents
    assert (doc.id, doc.title, doc.source, doc.published) == ("1", None, None, None)
    (doc,) = read_bytes("a.jsonl", b'{"text": "Oslo.", "id": NaN, "doc_id": 12}').documents
    assert doc.id == "12"


def test_fields_of_the_wrong_type_are_an_error_naming_the_field():
    result = read_bytes("a.jsonl", jsonl(
        {"text": "Oslo.", "title": 5}, {"text": "Oslo.", "source": ["AFP"]}, {"text": "Oslo.", "date": {"y": 1}},
        {"text": "Oslo.", "id": True}, {"text": "Rome.", "id": 3.5}))
    assert errors(result) == [(1, "`title` must be a string, got int"), (2, "`source` must be a string, got list"),
                              (3, "`date` must be a string, got dict"),
                              (4, "`id` must be a string or a number, got bool")]
    assert [d.id for d in result.documents] == ["3.5"]


# -- 10. front matter -------------------------------------------------------------------------------


def test_front_matter_never_closed_is_read_as_text_with_a_note():
    result = read_bytes("a.md", b"---\ntitle: Baghouz\nFighting went on in Baghouz.\n")
    (doc,) = result.documents
    assert doc.text.startswith("---\ntitle: Baghouz") and doc.title == "a"
    assert [str(n) for n in result.notes] == ["a.md:1: front matter not closed with '---'; read as text"]
    (doc,) = read_bytes("b.md", b"---\ntitle: Baghouz\n---   \r\nFighting.").documents
    assert (doc.title, doc.text) == ("Baghouz", "Fighting.")


# -- 11. empty text ---------------------------------------------------------------------------------


def test_text_of_only_whitespace_and_control_characters_is_empty():
    result = read_bytes("a.jsonl", jsonl({"text": "\x01\x02 \t\u200a"}, {"text": "\ufffd"}, {"text": "Oslo."}))
    assert errors(result) == [(1, "empty `text`"), (2, "empty `text`")]
    assert errors(read_bytes("a.txt", b"\x01\x02\x03 \n")) == [(None, "empty text")]
    assert errors(read_bytes("a.md", b"---\ntitle: T\n---\n  \n")) == [(None, "empty text")]
    assert errors(read_bytes("a.csv", b"title,body\nT,\x07\n")) == [(2, "empty `body`")]


# -- properties -------------------------------------------------------------------------------------

NAMES = st.sampled_from(["a.txt", "a.md", "a.jsonl", "a.csv"])
ANY_BYTES = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda bom, text: bom + text.encode("utf-8", "surrogatepass"),
              st.sampled_from([b"", b"---\n", codecs.BOM_UTF8]), st.text(max_size=200)),
    st.builds(lambda bom, text: bom + text.encode("utf-32-le" if len(bom) == 4 else "utf-16-le"),
              st.sampled_from([codecs.BOM_UTF32_LE, codecs.BOM_UTF16_LE]), st.text(max_size=100)),
)


@settings(max_examples=300, deadline=None)
@given(NAMES, ANY_BYTES)
def test_any_bytes_never_raise_and_give_valid_unicode(name, data):
    result = read_bytes(name, data)
    assert_valid_unicode(result)
    for doc in result.documents:
        assert doc.text.strip()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
GOOD_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffd"),
                    min_size=1, max_size=60).filter(str.strip)
GOOD_LINE = st.fixed_dictionaries({"text": GOOD_TEXT}, optional={"title": GOOD_TEXT, "id": st.integers(-10**9, 10**9)})


def is_document(line: str) -> bool:
    """Whether a line could hold a document: a JSON object with a string `text`."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(obj, dict) and isinstance(obj.get("text"), str)


def with_surrogate(text: str, where: int) -> str:
    return text[:where] + "\udc80" + text[where:]


BAD_LINE = st.one_of(
    st.text(st.characters(blacklist_characters="\n\x00"), min_size=1, max_size=60).filter(
        lambda line: line.strip() and not is_document(line)),
    JSON_VALUES.map(json.dumps).filter(lambda line: not is_document(line)),
    JSON_VALUES.filter(lambda v: not isinstance(v, str)).map(lambda v: json.dumps({"text": v})),
    st.builds(lambda field, text, where: json.dumps({"text": "Oslo.", field: with_surrogate(text, where)}),
              st.sampled_from(["text", "title", "id", "source", "published"]), GOOD_TEXT, st.integers(0, 60)),
    st.builds(lambda field, value: json.dumps({"text": "Oslo.", field: value}),
              st.sampled_from(["title", "source", "published"]), st.integers() | st.booleans() | st.lists(
                  st.integers(), max_size=2)),
    st.integers(200, 5000).map(lambda depth: '{"text": ' + "[" * depth),
    st.sampled_from(["{\"text\": \" \\t\"}", "{\"text\": \"\\u0001\\u0002\"}", "{\"spans\": 1}"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), GOOD_LINE, BAD_LINE, st.booleans()), max_size=12))
def test_jsonl_good_lines_load_and_every_bad_line_is_named(rows):
    lines, good, bad_lines = ['{"text": "First."}'], ["First."], []
    for keep_good, doc, bad, blank in rows:
        if blank:
            lines.append(" \t")
        if keep_good:
            lines.append(json.dumps(doc))
            good.append(doc["text"])
        else:
            lines.append(bad)
            bad_lines.append(len(lines))
    result = read_bytes("feed.jsonl", "\n".join(lines).encode())
    assert [d.text for d in result.documents] == good
    assert [e.line for e in result.errors] == bad_lines
    assert_valid_unicode(result)


CSV_TEXT = st.text(st.one_of(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffd"),
                             st.sampled_from('\n\r",')), min_size=1, max_size=60).filter(lambda t: t.strip())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CSV_TEXT, CSV_TEXT), min_size=1, max_size=8),
       st.sampled_from([("\r\n", csv.QUOTE_MINIMAL), ("\r\n", csv.QUOTE_ALL), ("\n", csv.QUOTE_ALL)]))
def test_csv_written_by_the_csv_module_loads_exactly(rows, dialect):
    """Quoted fields over several lines, with commas and quotes, are never taken for an open quote.
    (With QUOTE_MINIMAL and "\n" line ends, Python 3.11's writer leaves a field with "\r" unquoted.)"""
    newline, quoting = dialect
    table = io.StringIO(newline="")
    csv.writer(table, lineterminator=newline, quoting=quoting).writerows([("title", "text"), *rows])
    result = read_bytes("news.csv", table.getvalue().encode())
    assert result.errors == []
    assert [(d.title, d.text) for d in result.documents] == [
        (title, text.replace("\r\n", "\n").replace("\r", "\n")) for title, text in rows]
