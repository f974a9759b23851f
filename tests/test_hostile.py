"""Hostile article text through the real path: a table of payloads (template, HTML, markdown, formula,
bidi and zero-width characters) in titles, sources and sentences, ingested and exported by the CLI
(HTML, CSV, GeoJSON), the map rendered twice, and `delete` of an article that holds them.

What must hold: the text comes out literal, character for character; nothing is evaluated (a payload
that would touch a sentinel file if Jinja ran it leaves no file); no cell starts a spreadsheet formula.
The same store in the dashboard, in Chromium: tests/browser/test_hostile_app.py.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geodata import assets, export, maps
from geodata.store import Filters, Store
from tests.conftest import copy_sqlite, run_cli

PAYLOADS = {
    "expression": "{{ 7*7 }}",
    "statement": "{% if 1 %}IFRAN{% endif %}",
    "comment": "{# hidden #}",
    "open statement": "{% broken",
    "html": "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>",
    "markdown": "[click](http://evil.example/) ![i](http://evil.example/i.png) :red[red] $x^2$",
    "formula": '=HYPERLINK("http://evil.example","x")',
    "plus": "+1+1",
    "at": "@SUM(A1:A2)",
    "bidi": "\u202edelif\u202c zero\u200bwidth\u2066",
    "script end": "</script><!--",
}


def sentinel_payload(path: Path) -> str:
    return "{{ cycler.__init__.__globals__.os.system('touch " + str(path) + "') }}"


CITIES = ("Aleppo", "Homs", "Damascus", "Latakia", "Mosul", "Baghdad", "Beirut", "Amman", "Cairo", "Kabul",
          "Tehran", "Ankara")  # one per payload, so each popup shows its article whole


def hostile_lines(sentinel: Path) -> list[dict[str, str]]:
    table = {**PAYLOADS, "sentinel": sentinel_payload(sentinel)}
    return [{"id": f"hostile-{i}", "title": payload, "source": payload, "published": "2019-03-01",
             "text": f"Shelling hit {city} on Monday. Residents in {city} wrote {payload} on a wall."}
            for i, (city, payload) in enumerate(zip(CITIES, table.values(), strict=True))]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, home: Path) -> dict:
    """A data folder whose store holds one article per payload, ingested by the CLI."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "home"
    data.mkdir()
    copy_sqlite(home / "gazetteer.sqlite", data / "gazetteer.sqlite")
    sentinel = root / "SENTINEL"
    lines = hostile_lines(sentinel)
    (root / "hostile.jsonl").write_text("\n".join(json.dumps(d) for d in lines), encoding="utf-8")
    done = run_cli("ingest", str(root / "hostile.jsonl"), home=data)
    assert done.returncode == 0, done.stderr
    return {"root": root, "home": data, "sentinel": sentinel, "lines": lines}


def map_rows(page: str) -> list[list]:
    """The marker rows of an exported map, decoded as the browser decodes them."""
    start = page.index("var data = ") + len("var data = ")
    rows, _ = json.JSONDecoder().raw_decode(page[start:])
    return rows


def test_exports_keep_every_payload_literal(hostile: dict) -> None:
    root, sentinel = hostile["root"], hostile["sentinel"]
    done = run_cli("export", "--html", str(root / "map.html"), "--csv", str(root / "m.csv"),
                   "--geojson", str(root / "m.geojson"), home=hostile["home"])
    assert done.returncode == 0, done.stderr
    assert not sentinel.exists()
    payloads = [d["title"] for d in hostile["lines"]]

    page = (root / "map.html").read_text(encoding="utf-8")
    popups = "\n".join(html.unescape(re.sub(r"<[^>]+>", "", row[5])) for row in map_rows(page))
    for payload in payloads:
        assert payload in popups, payload  # the title and the sentence, character for character
    assert "IFRAN<" not in page and "Check 49" not in page and "\n49\n" not in popups
    assert "<script>window.__xss" not in page and "</script><!--" not in page

    features = json.loads((root / "m.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["title"] for f in features} == set(payloads)

    rows = list(csv.DictReader(io.StringIO((root / "m.csv").read_text(encoding="utf-8"))))
    assert {r["title"] for r in rows} == {"'" + p if p[0] in "=+-@\t\r" else p for p in payloads}
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")) and not re.match(r"-[^\d]", value), row


def test_the_map_rendered_twice_and_through_the_dashboard_path_stays_literal(hostile: dict) -> None:
    store = Store(hostile["home"] / "store.sqlite")
    places, mentions = export.view(store, Filters())
    m = maps.build_map(places, mentions, None)
    first = m.get_root().render()
    assets.localize(m)  # the dashboard's path: the same map, served assets
    second = m.get_root().render()
    for page in (first, second, export.map_html(places, mentions)):
        popups = html.unescape("\n".join(row[5] for row in map_rows(page)))
        assert "{{ 7*7 }}" in popups and "{% if 1 %}IFRAN{% endif %}" in popups and "{# hidden #}" in popups
    assert not hostile["sentinel"].exists()


def test_a_payload_in_the_popup_json_is_never_template_syntax() -> None:
    tricky = "{{ x }} {% y %} {# z #} </script> & ' \u2028"
    encoded = maps.to_json_safe([tricky, {"k{{": tricky}, 1.5, None])
    assert not re.search(r"\{[{%#]|</|\u2028", encoded)
    assert json.loads(encoded) == [tricky, {"k{{": tricky}, 1.5, None]


def test_csv_cells_never_start_a_formula() -> None:
    frame = pd.DataFrame({c: ["x"] for c in export.CSV_COLUMNS})
    frame["title"], frame["sentence"], frame["lat"], frame["geonameid"] = "=1+1", "\t=cmd", -3.5, 163843.0
    frame["source"] = "wire\r=3+3 inside"  # a bare CR ends a row in a spreadsheet unless the field is quoted
    (row,) = csv.DictReader(io.StringIO(export.csv_text(frame), newline=""))
    assert row["title"] == "'=1+1" and row["sentence"] == "'\t=cmd" and row["source"] == "wire\r=3+3 inside"
    assert row["lat"] == "-3.5" and row["geonameid"] == "163843"  # numbers stay numbers


def test_delete_an_article_keeps_the_store_consistent(hostile: dict, tmp_path: Path) -> None:
    data = tmp_path / "home"
    data.mkdir()
    for name in ("gazetteer.sqlite", "store.sqlite"):
        copy_sqlite(hostile["home"] / name, data / name)
    store = Store(data / "store.sqlite")
    before = store.counts()
    victim = int(store.articles().query("doc_id == 'hostile-3'").id.iloc[0])  # the `{%` article
    mention = store.article_mentions(victim).dropna(subset=["place_id"]).iloc[0]
    kept_mention = store.mentions().query("article_id != @victim").iloc[0]
    place = store.place(mention.place_id)
    store.correct("mention", str(mention.mention_id), place)
    store.correct("mention", str(kept_mention.mention_id), place)
    store.close()

    done = run_cli("delete", "--article", "hostile-3", home=data)
    assert done.returncode == 0, done.stderr
    assert "deleted article" in done.stderr and "Traceback" not in done.stderr
    store = Store(data / "store.sqlite")
    assert store.check() == []
    assert store.counts()["articles"] == before["articles"] - 1
    assert victim not in set(store.articles().id)
    assert list(store.corrections().key) == [str(kept_mention.mention_id)]  # only the other article's
    assert store.article_mentions(victim).empty

    again = run_cli("delete", "--article", "hostile-3", home=data)
    assert again.returncode == 2 and "no such article" in again.stderr
    assert run_cli("export", "--html", str(tmp_path / "after.html"), home=data).returncode == 0


def test_cli_messages_escape_control_characters_of_file_names(home: Path, tmp_path: Path) -> None:
    """A file name carrying a terminal escape ("\\x1b]0;...") is named in the message, escaped: the
    user's terminal gets no control sequence from an input's name."""
    bad = tmp_path / "report\x1b]0;pwned\x07.txt"
    bad.write_bytes(b"\x00\x01\x02 binary \xff\xfe")
    done = run_cli("parse", str(bad), "--out", str(tmp_path / "out.jsonl"), home=home)
    assert "report\\x1b]0;pwned\\x07.txt" in done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
