"""What the scenarios feed the CLI and the store: articles, JSONL files, huge and long texts, GeoNames dumps,
hand-built stores, bad input files and hostile payloads."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable
from pathlib import Path

from . import ROOT

SEED = next((ROOT / "seeds").glob("*.txt"))
CITIES = ["Paris", "Berlin", "Madrid", "Rome", "Cairo", "Damascus", "Aleppo", "Baghdad", "Tokyo", "Lima",
          "Nairobi", "Oslo", "Vienna", "Lisbon", "Warsaw", "Athens", "Beirut", "Amman", "Dublin", "Prague"]
COUNTRIES = ["Syria", "Iraq", "France", "Germany", "Spain", "Italy", "Egypt", "Japan", "Peru", "Kenya"]
# Texts that stress offsets: markup, right-to-left and bidi controls, combining marks, emoji sequences.
TRICKY_TEXTS = {
    "html": ('<p>Officials in <b>Paris</b> met envoys from Berlin.</p><script>alert("Cairo")</script>\n'
             '<a href="https://example.com/?q=Rome&amp;x=1">Rome</a> &amp; Madrid signed the deal in <i>Vienna</i>.'),
    "rtl": ("Talks in Damascus (دمشق) and Jerusalem (ירושלים) resumed on Monday. \u200fAleppo\u200f reported "
            "shelling, and \u202bBeirut\u202c stayed calm. Officials in Baghdad (بغداد) disagreed."),
    "combining": ("Cafe\u0301 owners in Zu\u0308rich and Sa\u0303o Paulo met colleagues from Montre\u0301al. "
                  "Later, Z\u0336urich and B\u0333erlin were mentioned, then Paris\u0301 and Madrid."),
    "emoji": ("\U0001F1EB\U0001F1F7 Fans in Paris \U0001F389 cheered as \U0001F468\u200d\U0001F469\u200d\U0001F467 "
              "families flew to Tokyo \u2708\ufe0f and Sydney \U0001F3D6\ufe0f. \U0001F600 Berlin is next, "
              "then Cairo\U0001F3FD and Rome."),
}


def article_text(i: int, prefix: str = "a") -> str:
    """A small news article naming several places (every one has mentions), distinct per prefix and number."""
    pick = random.Random(f"{prefix}{i}")
    a, b, c, d = pick.sample(CITIES, 4)
    country = pick.choice(COUNTRIES)
    return (f"Report {prefix}{i}. Officials in {a} said on Monday that talks with envoys from {b} would resume. "
            f"Aid convoys left {c} for {country} after {i % 17 + 2} days of delay. "
            f"Residents of {d} described long queues, and the mayor of {a} asked {b} for help. "
            f"Trains between {c} and {d} ran again, the transport ministry of {country} said.")


def article_rows(n: int, prefix: str = "a") -> list[dict]:
    """`n` JSONL rows with ids `{prefix}0`, `{prefix}1`..."""
    return [{"id": f"{prefix}{i}", "title": f"Article {prefix}{i}", "published": f"2024-01-{i % 28 + 1:02d}",
             "text": article_text(i, prefix)} for i in range(n)]


def write_jsonl(path: Path, rows: Iterable[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def seed_body() -> str:
    """The seed article's text without its front matter."""
    return SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1].strip()


def long_line(chars: int) -> str:
    """One line of exactly `chars` characters: real news prose, then a list of place names (the densest
    case: a mention every 8 characters)."""
    body = " ".join(seed_body().split())
    prose = ((body + " ") * (chars // 2 // (len(body) + 1) + 1))[: chars // 2 - 2] + ". "
    names = ", ".join(CITIES + COUNTRIES)
    listing = ("Places affected: " + (names + ", ") * (chars // len(names) + 1))[: chars - len(prose)]
    return prose + listing


def write_huge_text(path: Path, megabytes: int = 50) -> Path:
    """A plain-text file of exactly `megabytes` MiB of ASCII news prose (one article, by its type)."""
    line = b"Officials in Paris and Berlin met envoys from Damascus on Monday. "
    size = megabytes * 2**20
    with path.open("wb") as out:
        for _ in range(size // len(line)):
            out.write(line)
        out.write(line[: size % len(line)])
    return path


def geoname_line(i: int) -> str:
    """One line of a GeoNames dump (19 tab-separated columns) for a made-up place."""
    pick = random.Random(i)
    gid = 97_000_000 + i
    return "\t".join([str(gid), f"Stressville {i}", f"Stressville {i}", f"Stressburg {i}",
                      f"{pick.uniform(-80, 80):.5f}", f"{pick.uniform(-179, 179):.5f}", "P", "PPL", "SY", "",
                      "07", "", "", "", str(pick.randint(0, 5000)), "", "210", "Asia/Damascus", "2020-01-01"])


def write_geonames(path: Path, lines: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            out.write(geoname_line(i) + "\n")
    return path


def parsed_article(i: int):
    """A `ParsedDocument` built by hand (no spaCy): for store-level faults."""
    from geodata.records import Document, Mention, ParsedDocument, Place, Sentence

    text = article_text(i, "p")
    sentences, start = [], 0
    for end in [k + 1 for k, ch in enumerate(text) if ch == "."] + [len(text)]:
        if end > start and text[start:end].strip():
            sentences.append(Sentence(len(sentences), start, end))
        start = end
    mentions = []
    for name in sorted(set(CITIES + COUNTRIES), key=text.find):
        at = text.find(name)
        if at >= 0:
            sentence = next(s.index for s in sentences if s.start <= at < s.end)
            place = Place(f"test:{name}", name, 10.0, 20.0, "XX", "P", "PPL", source="test")
            mentions.append(Mention(at, at + len(name), name, sentence, "GPE", "toponym", 0.9, place))
    return ParsedDocument(Document(f"p{i}", text, title=f"Parsed {i}"), sentences, mentions)


def seed_store(path: Path, articles: int) -> Path:
    """A store holding `articles` hand-built articles, closed (its WAL folded in)."""
    from geodata.store import Store

    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path)
    store.add_all(parsed_article(i) for i in range(articles))
    store.close()
    return path


NAMED_PIPE = None  # content of a case that is a named pipe (FIFO), not a regular file
NOT_UTF8_NAME = os.fsdecode(b"caf\xe9-report.txt")  # a Latin-1 file name: not UTF-8, bytes kept as escapes


def noise_bytes(size: int = 4096, seed: int = 7) -> bytes:
    """Random bytes that start with no known magic number or byte-order mark (binary named .txt)."""
    pick = random.Random(seed)
    while True:
        blob = pick.randbytes(size)
        if not blob.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"%PDF",
                                b"\x89PNG", b"PK", b"\xff\xd8", b"GIF8", b"\x1f\x8b")):
            return blob


def bad_input_files(folder: Path, *, heavy: bool = True) -> dict[str, tuple[bytes | None, int, str | tuple[str, ...]]]:
    """file name -> (content (NAMED_PIPE for a FIFO), documents it should give, message(s) expected on
    stderr ('' for none))."""
    folder.mkdir(parents=True, exist_ok=True)
    place_text = "Café owners in Zürich met officials from Paris."
    csv_rows = ('title,Text,date\n"One","Officials in Cairo\nmet envoys from Rome",2020-01-02\n"Bad","x","y","z"\n'
                '"Two","Trains left Madrid for Lisbon",\n')
    jsonl = "\n".join([json.dumps({"id": "j1", "text": "Talks in Oslo resumed."}), '{"text": broken', "[1, 2]",
                       '{"title": "no text"}', '{"text": 42}', json.dumps({"id": "j2", "text": "Aid reached Lima."})])
    hostile_jsonl = "\n".join([json.dumps({"id": "h1", "text": "Aid reached Nairobi."}),
                               json.dumps({"id": "lone", "text": "Paris \ud800 Rome"}),  # a lone surrogate (escaped)
                               '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
                               '{"id": "h2", "title": NaN, "text": "Envoys left Vienna for Athens."}', ""])
    quotes_csv = ('id,text\n1,Talks in Amman went on.\n2,"Shelling near Idlib,2019\n3,Aid convoys reached Beirut.\n'
                  '4,Rain fell in Rome.\n')
    cases: dict[str, tuple[bytes | None, int, str | tuple[str, ...]]] = {
        "empty.txt": (b"", 0, "empty.txt: empty"),
        "blank.txt": (b"  \n\t\r\n ", 0, "blank.txt: empty"),
        "paper.txt": (b"%PDF-1.7\n" + bytes(range(256)) * 4, 0, "paper.txt: this is a PDF document"),
        "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), 0, "photo.txt: this is a PNG image"),
        "bundle.txt": (b"PK\x03\x04" + bytes(range(256)), 0, "bundle.txt: this is a zip archive"),
        "latin1.txt": (place_text.encode("cp1252"), 1, "latin1.txt:1: not UTF-8"),
        "utf16.txt": (b"\xff\xfe" + "Trains from Kraków reached Berlin.".encode("utf-16-le"), 1, ""),
        "nul.txt": (b"Officials in Berlin\x00 met envoys from Vienna.", 1, "nul.txt: NUL bytes replaced"),
        "endings.txt": (b"Trains left Warsaw.\r\nThey reached Prague.\rThen Vienna.\n", 1, ""),
        "feed.jsonl": (jsonl.encode(), 2, "feed.jsonl:2: broken JSON"),
        "notext.csv": (b"title,url\na,b\n", 0, "notext.csv:1: no text column"),
        "news.csv": (csv_rows.encode(), 2, "news.csv:4: 4 fields where the header has 3"),
        "same-text-again.md": (b"---\nid: other-id\n---\nTalks in Oslo resumed.", 1, ""),  # stored once (j1)
        # hostile files: a FIFO inside the folder is skipped unread (never waited on); the others are
        # named with their line, and the good lines around them still load
        "pipe.txt": (NAMED_PIPE, 0, ""),
        NOT_UTF8_NAME: (b"Trains left Dublin for Prague on Monday.", 1, ""),
        "hostile.jsonl": (hostile_jsonl.encode(), 2, ("hostile.jsonl:2: invalid Unicode (lone surrogate U+D800 in "
                                                      "`text`)", "hostile.jsonl:3: broken JSON (nested too deeply)")),
        "quotes.csv": (quotes_csv.encode(), 3, "quotes.csv:3: unmatched quote: the row starting on this line ran on "
                                               "to line 5"),  # the rows it swallowed (lines 4, 5) load
        "noise.txt": (noise_bytes(), 0, "noise.txt: binary data, not text"),
        "utf32.txt": (b"\xff\xfe\x00\x00" + "Trains from Kraków reached Warsaw.".encode("utf-32-le"), 1, ""),
        "unclosed.md": (b"---\ntitle: Baghouz\nFighting went on near Baghouz and Deir ez-Zor.\n", 1,
                        "unclosed.md:1: front matter not closed with '---'; read as text"),
    }
    for name, text in TRICKY_TEXTS.items():
        cases[f"{name}.txt"] = (text.encode("utf-8"), 1, "")
    if heavy:
        cases["huge.txt"] = (b"", 0, "huge.txt: text of 52,428,800 characters is over the")
        cases["long-line.txt"] = (long_line(200_000).encode("utf-8"), 1, "")
    for name, (data, _, _) in cases.items():
        if data is NAMED_PIPE:
            os.mkfifo(folder / name)
        elif name != "huge.txt":
            (folder / name).write_bytes(data)
    if heavy:
        write_huge_text(folder / "huge.txt", 50)
    return cases


def hostile_payloads(sentinel: Path) -> dict[str, str]:
    """Text an article may hold that a template engine, a browser or a spreadsheet would run: `sentinel`
    is the file the server-side template payload would create if any renderer evaluated it."""
    return {
        "jinja expression": "{{ 7*7 }}",
        "jinja statement": "{% if 1 %}IFRAN{% endif %}",
        "jinja comment": "{# c #}",
        "lone block start": "{%",
        "template injection": "{{ cycler.__init__.__globals__.os.system('touch " + str(sentinel) + "') }}",
        "html": "<script>alert('x')</script><img src=x onerror=alert(1)></i></ol></div>",
        "markdown": "**bold** [click](javascript:alert(1)) ![i](http://example.invalid/x.png) # head",
        "formula": "=1+1",
        "plus": "+1",
        "at": "@SUM(A1)",
        "tab": "\t=2+2",
        "carriage return": "\r=3+3",
        "bidi and zero-width": "\u202egnp.exe\u202c \u200bzero\u200dwidth\u2066iso\u2069 \ufeffend",
    }


def hostile_rows(payloads: dict[str, str]) -> list[dict]:
    """One JSONL article per payload: in its title, its source and twice in its text, in sentences
    naming a place of its own (so each payload reaches a map popup)."""
    rows = []
    for i, (what, payload) in enumerate(payloads.items()):
        city = CITIES[i % len(CITIES)]
        rows.append({"id": f"hostile-{i}", "title": payload, "source": payload, "published": "2024-02-01",
                     "text": f"{payload} Officials in {city} met envoys on Monday ({what}). "
                             f"The talks in {city} ended with {payload} on the agenda."})
    return rows
