"""`make stress`: bad input, injected faults and concurrent writers against the real CLI and store.

Every scenario runs real subprocesses on real files and SQLite databases, then checks what was
stored. The table at the end counts the inputs tried, the faults injected, the concurrent writers and
operations held, and the records lost or corrupted, which must be 0 (the exit code is 1 otherwise,
or when a fault was not reported clearly). tests/test_reliability.py and tests/test_concurrency.py
run the same scenarios through these helpers.

    python -m devtools.stress                        # everything, in a temporary GEODATA_HOME (make stress)
    python devtools/stress.py worker correct|read    # one concurrent worker (started by `concurrent`)
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import html
import io
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `geodata` from this checkout, whatever the current directory
    sys.path.insert(0, str(ROOT))

SEED = next((ROOT / "seeds").glob("*.txt"))
GEONAMES_BATCH = 5000  # geodata.gazetteer.geonames.BATCH: an import commits whole batches
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


# -- inputs ------------------------------------------------------------------------------------

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


# -- processes ---------------------------------------------------------------------------------

@dataclass
class Finished:
    returncode: int
    stderr: str
    stdout: str
    seconds: float


class Running:
    """A `python -m geodata ...` (or worker) subprocess whose output goes to files, never a full pipe."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], log_dir: Path,
                 preexec_fn: Callable[[], None] | None = None):
        log_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=log_dir, prefix="run-", suffix=".err")
        os.close(handle)
        self.err_path, self.out_path = Path(name), Path(name[:-4] + ".out")
        self.started = time.monotonic()
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.proc = subprocess.Popen(list(argv), cwd=ROOT, env=env, stdout=out, stderr=err,
                                         preexec_fn=preexec_fn)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def finish(self, timeout: float = 300) -> Finished:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        return Finished(self.proc.returncode, self.stderr(), self.out_path.read_text(encoding="utf-8"),
                        time.monotonic() - self.started)


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "GEODATA_HOME": str(home), "GEODATA_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **extra}


def start_cli(*args: str, home: Path, log_dir: Path, env: dict[str, str] | None = None,
              preexec_fn: Callable[[], None] | None = None) -> Running:
    return Running([sys.executable, "-m", "geodata", *args], cli_env(home, **(env or {})), log_dir, preexec_fn)


def cli(*args: str, home: Path, log_dir: Path, env: dict[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None, timeout: float = 300) -> Finished:
    return start_cli(*args, home=home, log_dir=log_dir, env=env, preexec_fn=preexec_fn).finish(timeout)


def kill_when(run: Running, ready: Callable[[], bool], timeout: float = 120, interval: float = 0.01) -> bool:
    """SIGKILL `run` as soon as `ready()`; False if it ended (or the time ran out) first."""
    deadline = time.monotonic() + timeout
    while run.running() and time.monotonic() < deadline:
        if ready():
            run.kill()
            return True
        time.sleep(interval)
    run.kill()
    return False


# -- fault injection ---------------------------------------------------------------------------

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def without_permission_override() -> None:
    """preexec_fn: root loses the capabilities that let it ignore file permissions, so a chmod
    binds it as it binds everyone else (a real EACCES from the kernel, not a simulation)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def permissions_enforced(work: Path) -> bool:
    """Whether a process started with `without_permission_override` is stopped by a 0555 folder."""
    probe = work / "perm-probe"
    probe.mkdir(parents=True, exist_ok=True)
    probe.chmod(0o555)
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"],
                              preexec_fn=without_permission_override, capture_output=True)
        return done.returncode != 0 and b"PermissionError" in done.stderr
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe, ignore_errors=True)


def make_read_only(folder: Path, *, files_only: bool = False) -> None:
    for path in folder.iterdir():
        path.chmod(0o444)
    if not files_only:
        folder.chmod(0o555)


def make_writable(folder: Path) -> None:
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)


def file_size_limit(limit: int) -> Callable[[], None]:
    """preexec_fn: the kernel refuses writes past `limit` bytes (EFBIG), as a full disk refuses them."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error from write(), not death by signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def damage(path: Path, *, skip_pages: int = 2, page: int = 4096) -> None:
    """Overwrite the start (b-tree header, cell pointers) of every page after the first `skip_pages`:
    the file header and the schema stay readable, the tables do not."""
    data = bytearray(path.read_bytes())
    noise = random.Random(7)
    for offset in range(page * skip_pages, len(data), page):
        data[offset: offset + 200] = noise.randbytes(200)
    path.write_bytes(bytes(data))


# -- checks ------------------------------------------------------------------------------------

def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_sqlite(src: Path, dst: Path) -> Path:
    """A consistent copy of a live SQLite file (its WAL included)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dst


def query(path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Rows from a short-lived read-only connection; [] while the file or table does not exist yet."""
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return []
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def count(path: Path, sql: str) -> int:
    rows = query(path, sql)
    return rows[0][0] if rows else 0


def store_problems(path: Path, *, mentions_everywhere: bool = False) -> list[str]:
    """Everything wrong with a store file; [] for a consistent one. The store's own `Store.check()`
    (integrity, foreign keys, offsets within the text, corrections of missing mentions, content hashes),
    opened read-only, then what it does not look at: every article has sentences, every mention lies inside
    its sentence, and with `mentions_everywhere` (every article is known to name places) every article
    has mentions (one without lost them)."""
    from geodata.store import Store, StoreError

    try:
        store = Store(path, readonly=True)
    except StoreError as exc:
        return [f"cannot open the store: {exc}"]
    try:
        problems = store.check()
    finally:
        store.close()
    extra = {
        "article without sentences": "SELECT a.doc_id FROM articles a WHERE NOT EXISTS "
                                     "(SELECT 1 FROM sentences s WHERE s.article_id = a.id)",
        "mention outside its sentence": 'SELECT m.id FROM mentions m JOIN sentences s ON s.article_id = m.article_id '
                                        'AND s.idx = m.sentence WHERE m.start < s.start OR m."end" > s."end"',
    }
    if mentions_everywhere:
        extra["article without mentions"] = ("SELECT a.doc_id FROM articles a WHERE NOT EXISTS "
                                             "(SELECT 1 FROM mentions m WHERE m.article_id = a.id)")
    for what, sql in extra.items():
        problems += [f"{what}: {row}" for row in query(path, sql)[:5]]
    return problems


def store_contents(path: Path) -> dict[str, tuple]:
    """doc_id -> (text, sentences, mentions) for comparing two stores."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        out = {}
        for article_id, doc_id, text in conn.execute("SELECT id, doc_id, text FROM articles"):
            sentences = conn.execute('SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx',
                                     (article_id,)).fetchall()
            mentions = conn.execute('SELECT start, "end", text, kind, place_id FROM mentions WHERE article_id = ? '
                                    "ORDER BY start", (article_id,)).fetchall()
            out[doc_id] = (text, tuple(sentences), tuple(mentions))
        return out
    finally:
        conn.close()


def gazetteer_state(path: Path, *, thorough: bool = True) -> dict[str, object]:
    """Places, names, GeoNames places, the built-in version and integrity of a gazetteer file
    (`thorough`: integrity_check, indexes included; else quick_check)."""
    if not path.exists():
        return {"exists": False}
    conn = sqlite3.connect(path, timeout=30)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        check = "PRAGMA integrity_check" if thorough else "PRAGMA quick_check"
        state: dict[str, object] = {"exists": True, "integrity": conn.execute(check).fetchone()[0]}
        if {"places", "names", "meta"} <= tables:
            state["places"] = conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
            state["names"] = conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
            state["geonames"] = conn.execute("SELECT COUNT(*) FROM places WHERE source = 'geonames'").fetchone()[0]
            row = conn.execute("SELECT value FROM meta WHERE key = 'builtin_version'").fetchone()
            state["version"] = row[0] if row else None
        return state
    finally:
        conn.close()


def wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


# -- scenarios ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    """One scenario's figures for the table, and the facts the tests assert on."""

    name: str
    inputs: int = 0
    faults: int = 0
    writers: int = 0
    ops: int = 0
    lost: int = 0
    corrupted: int = 0
    failures: list[str] = field(default_factory=list)  # a fault not reported clearly, a wrong exit code...
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.corrupted or self.failures)

    def expect(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


def compare_stores(outcome: Outcome, got: dict[str, tuple], want: dict[str, tuple]) -> None:
    """Lost: articles of `want` missing in `got`; corrupted: stored differently or not wanted at all."""
    outcome.lost += len(want.keys() - got.keys())
    outcome.corrupted += sum(got[k] != want[k] for k in want.keys() & got.keys()) + len(got.keys() - want.keys())


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


def scenario_bad_inputs(home: Path, work: Path, *, heavy: bool = True, time_limit: float = 120) -> Outcome:
    """Every kind of bad input in one CLI ingest next to good files, within `time_limit` seconds: clear
    messages, good documents stored once with correct offsets, an earlier article untouched."""
    out = Outcome("bad input files, one CLI ingest")
    folder, db = work / "inputs", work / "inputs.sqlite"
    cases = bad_input_files(folder, heavy=heavy)
    pipe = work / "named-pipe.txt"  # a FIFO named on the command line is reported, never opened for reading
    os.mkfifo(pipe)
    out.inputs = len(cases) + 1
    first = cli("ingest", str(SEED), "--db", str(db), home=home, log_dir=work / "logs")
    out.expect(first.returncode == 0, f"seed ingest failed: {first.stderr[-300:]}")
    before = store_contents(db)
    run = cli("ingest", str(folder), str(pipe), "--db", str(db), home=home, log_dir=work / "logs", timeout=time_limit)
    out.facts.update(returncode=run.returncode, stderr=run.stderr, seconds=run.seconds)
    out.expect(run.returncode != -signal.SIGKILL, f"the ingest took over {time_limit:.0f} s and was stopped "
                                                  "(waiting on a pipe?)")
    out.expect(run.returncode == 1, f"exit code {run.returncode}, expected 1 (input errors): {run.stderr[-500:]}")
    out.expect("Traceback" not in run.stderr, f"traceback: {run.stderr[-800:]}")
    expected = {name: (message,) if isinstance(message, str) else message for name, (_, _, message) in cases.items()}
    expected[pipe.name] = (f"{pipe}: not a regular file",)
    for name, messages in expected.items():
        for message in messages:
            out.expect(message in run.stderr, f"{name}: no message {message!r}")
    reported = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    out.expect(all(line.startswith(f"error: {folder}/") or line.startswith(f"error: {pipe}:") for line in reported),
               f"an error not of the form file[:line]: message: {reported}")
    out.facts["errors"] = reported
    stored = store_contents(db)
    texts = [text for text, _, _ in stored.values()]
    expected_docs = 1 + sum(n for _, n, _ in cases.values()) - 1  # + the seed, - the duplicate text
    out.facts.update(stored=len(stored), expected=expected_docs)
    escaped = Path(NOT_UTF8_NAME.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")).stem
    out.expect(escaped in stored, f"the file with a non-UTF-8 name is not stored as {escaped!r}: {sorted(stored)}")
    out.lost += max(0, expected_docs - len(stored)) + sum(before[k] != stored.get(k) for k in before)
    out.corrupted += len(texts) - len(set(texts)) + len(store_problems(db))
    return out


def scenario_ingest_kill(home: Path, work: Path, *, articles: int = 60, kill_at: Sequence[int] = (5,)) -> Outcome:
    """SIGKILL `ingest` after `kill_at[k]` articles are stored, run after run, then let it finish; compare
    with an uninterrupted ingest of the same file (run alongside)."""
    out = Outcome("SIGKILL ingest mid-batch, then re-run", inputs=articles, faults=len(kill_at))
    feed = write_jsonl(work / "feed.jsonl", article_rows(articles))
    db, ref_db, logs = work / "killed.sqlite", work / "reference.sqlite", work / "logs"
    env = {"GEODATA_BATCH_SIZE": "2"}  # spaCy hands over articles two at a time: stored one by one
    reference = start_cli("ingest", str(feed), "--db", str(ref_db), home=home, log_dir=logs, env=env)
    killed_at, after_kill = [], []
    for target in kill_at:
        run = start_cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs, env=env)
        killed = kill_when(run, lambda: count(db, "SELECT COUNT(*) FROM articles") >= target)
        out.expect(killed, f"ingest ended before {target} articles were stored: {run.stderr()[-300:]}")
        killed_at.append(count(db, "SELECT COUNT(*) FROM articles"))
        after_kill.append(store_problems(db, mentions_everywhere=True))
    rerun = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs, env=env)
    ref = reference.finish()
    out.expect(ref.returncode == 0, f"reference ingest failed: {ref.stderr[-300:]}")
    out.expect(rerun.returncode == 0, f"re-run failed: {rerun.stderr[-300:]}")
    got, want = store_contents(db), store_contents(ref_db)
    problems = store_problems(db, mentions_everywhere=True)
    out.facts.update(killed_at=killed_at, problems_after_kill=after_kill, rerun=rerun, final=got, reference=want,
                     problems=problems)
    compare_stores(out, got, want)
    out.corrupted += sum(len(p) for p in after_kill) + len(problems)
    out.lost += articles - len(want)  # the reference itself must hold every article
    return out


def scenario_gazetteer_build_kill(work: Path, *, reference_places: int | None = None) -> Outcome:
    """SIGKILL `gazetteer build` in the middle of its one transaction on a fresh GEODATA_HOME; the file must
    hold no half build, and building again must complete."""
    out = Outcome("SIGKILL gazetteer build, then re-run", faults=1)
    home = work / "fresh-home"
    shutil.rmtree(home, ignore_errors=True)
    path = home / "gazetteer.sqlite"
    run = start_cli("gazetteer", "build", home=home, log_dir=work / "logs")
    killed = kill_when(run, lambda: wal_bytes(path) > 4 * 2**20, timeout=300)  # inserts under way
    out.expect(killed, f"the build ended before it could be killed: {run.stderr()[-300:]}")
    after = gazetteer_state(path)
    half_built = after.get("places", 0) and after.get("version") is None
    out.expect(after.get("integrity", "ok") == "ok", f"integrity after kill: {after}")
    out.corrupted += int(bool(half_built)) + int(after.get("integrity", "ok") != "ok")
    rerun = cli("gazetteer", "build", home=home, log_dir=work / "logs", timeout=600)
    final = gazetteer_state(path)
    out.expect(rerun.returncode == 0 and "building" in rerun.stderr, f"re-run: {rerun.stderr[-300:]}")
    out.facts.update(after_kill=after, rerun=rerun, final=final)
    if reference_places is not None:
        out.lost += max(0, reference_places - int(final.get("places", 0)))
        out.corrupted += max(0, int(final.get("places", 0)) - reference_places)
    return out


def scenario_geonames_kill(gazetteer: Path, work: Path, *, lines: int = 200_000, kill_after: int = 20_000) -> Outcome:
    """SIGKILL `gazetteer import` of a generated GeoNames dump after some batches; re-running must give the
    counts of an uninterrupted import of the same dump (run alongside on another copy)."""
    out = Outcome("SIGKILL GeoNames import, then re-run", inputs=lines, faults=1)
    dump = write_geonames(work / "XX.txt", lines)
    victim, control = work / "victim" / "gazetteer.sqlite", work / "control" / "gazetteer.sqlite"
    copy_sqlite(gazetteer, victim)
    copy_sqlite(gazetteer, control)
    logs = work / "logs"
    uninterrupted = start_cli("gazetteer", "import", str(dump), "--quiet", home=control.parent, log_dir=logs)
    run = start_cli("gazetteer", "import", str(dump), "--quiet", home=victim.parent, log_dir=logs)
    imported = "SELECT COUNT(*) FROM places WHERE source = 'geonames'"
    killed = kill_when(run, lambda: count(victim, imported) >= kill_after)
    out.expect(killed, f"the import ended before it could be killed: {run.stderr()[-300:]}")
    after = gazetteer_state(victim)
    rerun = cli("gazetteer", "import", str(dump), "--quiet", home=victim.parent, log_dir=logs)
    control_run = uninterrupted.finish()
    final, want = gazetteer_state(victim), gazetteer_state(control, thorough=False)
    out.expect(rerun.returncode == 0 and control_run.returncode == 0, f"import failed: {rerun.stderr[-300:]}")
    out.facts.update(after_kill=after, final=final, uninterrupted=want, rerun=rerun)
    out.corrupted += int(after.get("integrity") != "ok") + int(int(after.get("geonames", 0)) % GEONAMES_BATCH != 0)
    for key in ("places", "names", "geonames"):
        diff = int(want.get(key, 0)) - int(final.get(key, 0))
        out.lost += max(0, diff)
        out.corrupted += max(0, -diff)
    out.lost += lines - int(want.get("geonames", 0))
    return out


def scenario_damaged_files(home: Path, work: Path, *, targets: Sequence[str] = ("store", "gazetteer")) -> Outcome:
    """A store or gazetteer that is not SQLite, another application's SQLite, or damaged: exit code 2, a message
    naming the file, and its bytes unchanged. The six CLI runs go side by side."""
    out = Outcome("damaged, foreign or non-SQLite files")
    feed = write_jsonl(work / "three.jsonl", article_rows(3, prefix="d"))
    logs, good_store = work / "logs", seed_store(work / "good.sqlite", 5)
    makers: dict[str, Callable[[Path], object]] = {
        "not SQLite": lambda p: p.write_bytes(b"Officials in Paris said... " * 400),
        "another application's SQLite": _foreign_sqlite,
        "damaged store": lambda p: (copy_sqlite(good_store, p), damage(p)),
        "damaged gazetteer": lambda p: (copy_sqlite(home / "gazetteer.sqlite", p), damage(p, skip_pages=50)),
    }
    cases = [("store", "not SQLite"), ("store", "another application's SQLite"), ("store", "damaged store"),
             ("gazetteer", "not SQLite"), ("gazetteer", "another application's SQLite"),
             ("gazetteer", "damaged gazetteer")]
    started = {}
    for target, what in [c for c in cases if c[0] in targets]:
        folder = work / f"{target}-{what.replace(' ', '-').replace(chr(39), '')}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        path = folder / f"{target}.sqlite" if target == "store" else folder / "gazetteer.sqlite"
        makers[what](path)
        if target == "store":
            run = start_cli("ingest", str(feed), "--db", str(path), home=home, log_dir=logs)
        else:
            run = start_cli("gazetteer", "lookup", "Paris", home=folder, log_dir=logs)
        started[f"{target}: {what}"] = (path, digest(path), run)
    results = {}
    for name, (path, before, run) in started.items():
        results[name] = done = run.finish()
        out.faults += 1
        clear = done.returncode == 2 and str(path) in done.stderr and "Traceback" not in done.stderr
        out.expect(clear, f"{name}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
        out.corrupted += int(digest(path) != before)
    out.facts["runs"] = results
    return out


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


def scenario_read_only(home: Path, work: Path) -> Outcome:
    """Ingest into a store whose folder, or file, is read-only (for root too): exit 2 with a message saying so,
    and the store unchanged. Skipped (facts['skipped']) where permissions cannot be enforced."""
    out = Outcome("read-only store folder / file")
    if not permissions_enforced(work):
        out.facts["skipped"] = "file permissions cannot be enforced here (root without droppable capabilities)"
        return out
    logs, more = work / "logs", write_jsonl(work / "ro-more.jsonl", article_rows(3, "s"))
    runs = {}
    for variant in ("folder", "file"):
        folder = work / f"read-only-{variant}"
        shutil.rmtree(folder, ignore_errors=True)
        db = seed_store(folder / "store.sqlite", 3)
        before, contents = digest(db), store_contents(db)
        make_read_only(folder, files_only=variant == "file")
        try:
            run = cli("ingest", str(more), "--db", str(db), home=home, log_dir=logs,
                      preexec_fn=without_permission_override)
        finally:
            make_writable(folder)
        out.faults += 1
        runs[variant] = run
        out.expect(run.returncode == 2 and "read-only" in run.stderr and "Traceback" not in run.stderr,
                   f"read-only {variant}: exit {run.returncode}: {run.stderr.strip()[-300:]}")
        after = store_contents(db)
        compare_stores(out, after, contents)
        out.corrupted += int(digest(db) != before) + len(store_problems(db))
    out.facts["runs"] = runs
    return out


def scenario_disk_full(home: Path, work: Path, *, articles: int = 30, limit: int = 300_000) -> Outcome:
    """Ingest with the kernel refusing writes past `limit` bytes per file (RLIMIT_FSIZE, as a full disk):
    exit 2 with a message, whole articles only, earlier ones intact; re-running with room completes."""
    out = Outcome("disk full during ingest (RLIMIT_FSIZE)", inputs=articles, faults=1)
    logs = work / "logs"
    shutil.rmtree(work / "full", ignore_errors=True)
    db = seed_store(work / "full" / "store.sqlite", 3)
    feed = write_jsonl(work / "full-feed.jsonl", article_rows(articles, "g"))
    earlier = store_contents(db)
    run = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs, preexec_fn=file_size_limit(limit))
    after = store_contents(db)
    problems = store_problems(db)
    out.expect(run.returncode == 2 and "was not stored" in run.stderr and "Traceback" not in run.stderr,
               f"disk full: exit {run.returncode}: {run.stderr.strip()[-400:]}")
    compare_stores(out, {k: v for k, v in after.items() if k in earlier}, earlier)
    rerun = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs)
    final = store_contents(db)
    out.expect(rerun.returncode == 0, f"re-run with room: {rerun.stderr[-300:]}")
    out.lost += 3 + articles - len(final)
    out.corrupted += len(problems) + len(store_problems(db))
    out.facts.update(run=run, stored_when_full=len(after) - len(earlier), problems=problems, final=len(final),
                     rerun=rerun)
    return out


# -- hostile text through ingest and export --------------------------------------------------------

SPREADSHEET_FORMULA = ("=", "+", "@", "\t", "\r")  # a CSV cell starting so runs as a formula (OWASP CSV injection)


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


def map_rows(html_file: Path) -> list[list]:
    """The marker rows a standalone map inlines (`var data = [...]`), decoded as the browser reads them."""
    page = html_file.read_text(encoding="utf-8")
    start = page.index("var data = ") + len("var data = ")
    return json.JSONDecoder().raw_decode(page, start)[0]


def scenario_hostile_text(home: Path, work: Path) -> Outcome:
    """Articles whose title, source and text hold template, HTML, markdown, spreadsheet and bidi payloads,
    through a CLI ingest and `export --html --csv --geojson`: nothing runs (the sentinel file is never
    made), every payload comes out as the literal text it was, and no CSV cell starts a formula."""
    out = Outcome("hostile text, ingest + export")
    logs, sentinel = work / "logs", work / "SENTINEL"
    payloads = hostile_payloads(sentinel)
    rows = hostile_rows(payloads)
    out.inputs = len(rows)
    feed, db, exports = write_jsonl(work / "hostile.jsonl", rows), work / "hostile.sqlite", work / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    files = {"html": exports / "map.html", "csv": exports / "mentions.csv", "geojson": exports / "mentions.geojson"}
    ingest = cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs)
    export = cli("export", "--db", str(db), *(a for kind, path in files.items() for a in (f"--{kind}", str(path))),
                 home=home, log_dir=logs)
    out.facts.update(ingest=ingest, export=export, sentinel=sentinel.exists())
    for name, run in (("ingest", ingest), ("export", export)):
        out.expect(run.returncode == 0 and "Traceback" not in run.stderr,
                   f"{name}: exit {run.returncode}: {run.stderr[-500:]}")
    out.expect(not sentinel.exists(), f"a template payload ran: {sentinel} was created")
    out.corrupted += int(sentinel.exists())
    if not all(path.exists() for path in files.values()) or ingest.returncode != 0:
        out.failures.append(f"exports missing: {[str(p) for p in files.values() if not p.exists()]}")
        return out

    from geodata.store import Store

    store = Store(db, readonly=True)
    try:
        articles = store.articles().set_index("doc_id")
        texts = {doc_id: store.article(int(articles.loc[doc_id, "id"]))["text"] for doc_id in articles.index}
    finally:
        store.close()
    stored = {r["id"]: (texts.get(r["id"]), articles.title.get(r["id"]), articles.source.get(r["id"])) for r in rows}
    verbatim = [doc for doc, r in zip(stored, rows) if stored[doc] != (r["text"], r["title"], r["source"])]
    out.expect(not verbatim, f"not stored verbatim: {verbatim}")
    out.lost += sum(stored[r["id"]][0] is None for r in rows)
    out.corrupted += len(verbatim) + len(store_problems(db))

    # HTML: the rows the map's script reads; popups are HTML whose text (unescaped) holds each payload
    page = files["html"].read_text(encoding="utf-8")
    popups = "\n".join(html.unescape(row[5]) for row in map_rows(files["html"]))
    missing_html = [what for what, p in payloads.items() if p not in popups]
    live_markup = [m for m in ("<script>alert(", "<img src=x") if m in page]
    # CSV: each payload is its cell (a formula behind an apostrophe), and no cell starts a formula
    # read as a spreadsheet does (newline="": a bare CR outside quotes ends a row, as in Excel and LibreOffice)
    table = list(csv.reader(io.StringIO(files["csv"].read_bytes().decode("utf-8"), newline="")))
    cells = {cell for row in table for cell in row}
    formulas = sorted({cell for cell in cells if cell.startswith(SPREADSHEET_FORMULA)})
    missing_csv = [what for what, p in payloads.items()
                   if ("'" + p if p.startswith(SPREADSHEET_FORMULA) else p) not in cells]
    # GeoJSON: data, not display: each payload exactly, each sentence a slice of its article's text
    features = json.loads(files["geojson"].read_text(encoding="utf-8"))["features"]
    values = {f["properties"][k] for f in features for k in ("title", "source")}
    missing_geojson = [what for what, p in payloads.items() if p not in values]
    by_title = {r["title"]: r["text"] for r in rows}
    bad_sentences = [f["properties"]["mention_id"] for f in features
                     if f["properties"]["sentence"] not in by_title.get(f["properties"]["title"], "")]
    out.expect(not missing_html, f"HTML: payloads not shown literally in the popups: {missing_html}")
    out.expect(not live_markup, f"HTML: article markup left live in the page: {live_markup}")
    out.expect(not formulas, f"CSV: cells a spreadsheet runs as formulas: {formulas[:5]}")
    out.expect(not missing_csv, f"CSV: payloads not written literally: {missing_csv}")
    out.expect(not missing_geojson, f"GeoJSON: payloads not written literally: {missing_geojson}")
    out.expect(not bad_sentences, f"GeoJSON: sentences not from their article: {bad_sentences[:5]}")
    out.corrupted += len(missing_html) + len(missing_csv) + len(missing_geojson) + len(bad_sentences) + len(formulas)
    out.facts.update(missing_html=missing_html, formulas=formulas, missing_csv=missing_csv,
                     missing_geojson=missing_geojson, bad_sentences=bad_sentences, live_markup=live_markup,
                     places=len(map_rows(files["html"])), features=len(features), files=files)
    return out


def scenario_export_disk_full(home: Path, work: Path, *, limit: int = 200_000) -> Outcome:
    """`export --html` over an earlier export with the kernel refusing writes past `limit` bytes (RLIMIT_FSIZE,
    as a full disk): exit 2 with a one-line message, the earlier file intact, no temporary file left; with
    room again the export is written."""
    out = Outcome("export onto a full disk (RLIMIT_FSIZE)", faults=1)
    logs, folder = work / "logs", work / "export-full"
    shutil.rmtree(folder, ignore_errors=True)
    db = seed_store(work / "export-store" / "store.sqlite", 5)
    folder.mkdir(parents=True)
    target = folder / "map.html"
    target.write_text("<p>the previous export</p>\n", encoding="utf-8")
    before = digest(target)
    run = cli("export", "--db", str(db), "--html", str(target), home=home, log_dir=logs,
              preexec_fn=file_size_limit(limit))
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    out.expect(run.returncode == 2 and len(errors) == 1 and "not written" in errors[0] and str(target) in errors[0]
               and "Traceback" not in run.stderr, f"full disk: exit {run.returncode}: {run.stderr.strip()[-400:]}")
    left = sorted(p.name for p in folder.iterdir() if p != target)
    out.expect(not left, f"left in the folder: {left}")
    intact = digest(target) == before
    out.corrupted += int(not intact) + len(left)
    rerun = cli("export", "--db", str(db), "--html", str(target), home=home, log_dir=logs)
    size = target.stat().st_size
    out.expect(rerun.returncode == 0 and size > limit and "var data = " in target.read_text(encoding="utf-8"),
               f"with room: exit {rerun.returncode}, {size} bytes: {rerun.stderr[-300:]}")
    out.facts.update(run=run, rerun=rerun, left=left, intact=intact, size=size)
    return out


def scenario_read_only_home(home: Path, work: Path) -> Outcome:
    """A data folder (GEODATA_HOME) made read-only, files and folder, for root too: `export --csv` to a writable
    folder and `gazetteer lookup` work; `delete` says read-only (exit 2); nothing in the folder changes."""
    out = Outcome("read-only data folder: export, lookup, delete", faults=1)
    if not permissions_enforced(work):
        out.facts["skipped"] = "file permissions cannot be enforced here (root without droppable capabilities)"
        return out
    logs, data, exports = work / "logs", work / "read-only-home", work / "ro-exports"
    shutil.rmtree(data, ignore_errors=True)
    exports.mkdir(parents=True, exist_ok=True)
    copy_sqlite(home / "gazetteer.sqlite", data / "gazetteer.sqlite")  # a built gazetteer (the user's, copied)
    store = seed_store(data / "store.sqlite", 3)
    before = {p.name: digest(p) for p in data.iterdir()}
    contents = store_contents(store)
    make_read_only(data)
    try:
        runs = {name: start_cli(*args, home=data, log_dir=logs, preexec_fn=without_permission_override)
                for name, args in {"export": ("export", "--csv", str(exports / "m.csv")),
                                   "lookup": ("gazetteer", "lookup", "Damascus"),
                                   "delete": ("delete", "--article", "1")}.items()}
        done = {name: run.finish(timeout=120) for name, run in runs.items()}
    finally:
        make_writable(data)
    export, lookup, delete = done["export"], done["lookup"], done["delete"]
    exported = list(csv.DictReader(io.StringIO((exports / "m.csv").read_text(encoding="utf-8"))))\
        if (exports / "m.csv").exists() else []
    out.expect(export.returncode == 0 and "Traceback" not in export.stderr,
               f"export: exit {export.returncode}: {export.stderr.strip()[-400:]}")
    out.expect(len(exported) == sum(len(m) for _, _, m in contents.values()),
               f"export: {len(exported)} rows for {sum(len(m) for _, _, m in contents.values())} mentions")
    out.expect(lookup.returncode == 0 and '"name": "Damascus"' in lookup.stdout and "Traceback" not in lookup.stderr,
               f"gazetteer lookup: exit {lookup.returncode}: {lookup.stderr.strip()[-600:]}")
    out.expect(delete.returncode == 2 and "read-only" in delete.stderr and "Traceback" not in delete.stderr,
               f"delete: exit {delete.returncode}: {delete.stderr.strip()[-400:]}")
    after = {p.name: digest(p) for p in data.iterdir()}
    out.expect(after.keys() == before.keys(), f"files appeared or went: {sorted(after)} (were {sorted(before)})")
    out.corrupted += sum(after.get(name) != value for name, value in before.items())
    compare_stores(out, store_contents(store), contents)
    out.corrupted += len(store_problems(store))
    out.facts.update(runs=done, exported=len(exported), files=sorted(after))
    return out


# -- concurrent use ------------------------------------------------------------------------------

def worker_correct(db: Path, worker: int, stop: Path, min_ops: int, deadline: float, pause: float = 0.01) -> dict:
    """Corrections and undos in a loop, as a dashboard session makes them (a click every ~`pause` s, far
    faster than a person), until `stop` exists and `min_ops` are done."""
    from geodata.records import Place
    from geodata.store import Store

    store = Store(db)
    pick = random.Random(worker)
    made, undone, errors, ops = [], [], [], 0
    while (ops < min_ops or not stop.exists()) and time.monotonic() < deadline:
        scope = pick.choice(["name", "name", "mention", "place"])
        key = {"name": lambda: pick.choice(CITIES), "mention": lambda: str(pick.randint(1, 300)),
               "place": lambda: f"gn:{pick.randint(1, 20)}"}[scope]()
        place = Place(f"user:w{worker}-{ops}", f"Corrected {worker}-{ops}", pick.uniform(-60, 60),
                      pick.uniform(-170, 170), "XX", "P", "PPL", source="user")
        try:
            cid = store.correct(scope, key, place)
            made.append([cid, scope, key, place.id])
            if pick.random() < 0.3:
                store.undo(cid)
                undone.append(cid)
        except Exception as exc:  # reported, never hidden: the test fails on any
            errors.append(f"{type(exc).__name__}: {exc}")
        ops += 1
        time.sleep(pick.uniform(0, 2 * pause))
    return {"made": made, "undone": undone, "errors": errors, "ops": ops}


def worker_read(db: Path, stop: Path, deadline: float) -> dict:
    """The dashboard's reads in a loop until `stop` exists."""
    from geodata.store import Store

    store = Store(db)
    ops, errors, seen = 0, [], 0
    while not stop.exists() and time.monotonic() < deadline:
        try:
            summary = store.place_summary()
            rows = store.mentions(limit=200)
            store.corrections()
            seen = max(seen, store.counts()["articles"])
            if not all(r.sentence[r.sentence_start:r.sentence_end] == r.text for r in rows.itertuples()) or (
                    len(summary) and summary.mentions.min() < 1):
                errors.append("inconsistent read")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        ops += 1
    return {"ops": ops, "errors": errors, "articles_seen": seen}


def worker_main(argv: Sequence[str]) -> int:
    kind, db, stop = argv[0], Path(argv[1]), Path(argv[2])
    deadline = time.monotonic() + float(argv[3])
    if kind == "correct":
        result = worker_correct(db, int(argv[4]), stop, int(argv[5]), deadline)
    else:
        result = worker_read(db, stop, deadline)
    print(json.dumps(result))
    return 0


def start_worker(kind: str, db: Path, stop: Path, seconds: float, *extra: str, log_dir: Path) -> Running:
    return Running([sys.executable, str(Path(__file__).resolve()), "worker", kind, str(db), str(stop), str(seconds),
                    *extra], {**os.environ}, log_dir)


def scenario_concurrent(home: Path, work: Path, *, articles: int = 120, writers: int = 2, min_ops: int = 100,
                        seconds: float = 90) -> Outcome:
    """`writers` correction sessions, one reader and one CLI ingest on one fresh store at once: no error
    surfaces, every correction and undo is kept, every article is stored exactly once."""
    out = Outcome("dashboard sessions + CLI ingest at once", inputs=articles, writers=writers + 1)
    db, stop, logs = work / "shared" / "store.sqlite", work / "shared" / "stop", work / "logs"
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    feed = write_jsonl(work / "concurrent.jsonl", article_rows(articles, "c"))
    started = time.monotonic()
    ingest = start_cli("ingest", str(feed), "--db", str(db), home=home, log_dir=logs,
                       env={"GEODATA_BATCH_SIZE": "4"})
    sessions = [start_worker("correct", db, stop, seconds, str(w), str(min_ops), log_dir=logs)
                for w in range(writers)]
    reader = start_worker("read", db, stop, seconds, log_dir=logs)
    ingested = ingest.finish(timeout=seconds)
    stop.touch()
    finished = [w.finish(timeout=seconds) for w in sessions + [reader]]
    elapsed = time.monotonic() - started
    results = [json.loads(f.stdout) if f.returncode == 0 and f.stdout.strip() else {"errors": [f.stderr[-500:]]}
               for f in finished]
    all_stderr = ingested.stderr + "".join(f.stderr for f in finished)
    errors = [e for r in results for e in r.get("errors", [])]
    out.expect(ingested.returncode == 0, f"ingest: exit {ingested.returncode}: {ingested.stderr[-300:]}")
    out.expect(not errors, f"errors surfaced: {errors[:5]}")
    out.expect("database is locked" not in all_stderr, "'database is locked' surfaced")
    out.expect(elapsed < seconds, f"took {elapsed:.0f} s")
    from geodata.gazetteer import normalize

    made = [[cid, scope, normalize(key) if scope == "name" else key, place_id]
            for r in results[:writers] for cid, scope, key, place_id in r.get("made", [])]
    undone = {c for r in results[:writers] for c in r.get("undone", [])}
    out.ops = sum(r.get("ops", 0) for r in results) + articles
    rows = {r[0]: r for r in query(db, "SELECT id, scope, key, place_id, undone_at FROM corrections")}
    lost = [m for m in made if m[0] not in rows or rows[m[0]][1:4] != tuple(m[1:4])]
    undo_lost = [c for c in undone if c in rows and rows[c][4] is None]
    latest: dict[tuple[str, str], int] = {}
    for cid, scope, key, _ in made:
        latest[(scope, key)] = max(latest.get((scope, key), 0), cid)
    superseded_active = [cid for key, cid in latest.items() if cid not in undone and rows.get(cid, (0,) * 5)[4]]
    contents = store_contents(db)
    texts = [t for t, _, _ in contents.values()]
    out.lost += len(lost) + len(undo_lost) + len(superseded_active) + max(0, articles - len(contents))
    out.corrupted += len(rows) - len(made) + len(texts) - len(set(texts)) + len(store_problems(db))
    out.facts.update(elapsed=elapsed, corrections=len(made), undos=len(undone), stored=len(contents),
                     doc_ids=sorted(contents), reads=results[-1].get("ops", 0), errors=errors,
                     stderr=all_stderr, rows=len(rows), lost_corrections=lost, lost_undos=undo_lost,
                     latest_not_active=superseded_active)
    return out


def open_at_once(path: Path, openers: int) -> list[str]:
    """`openers` connections (threads, so they really start together) open the same new store; their errors."""
    from geodata.store import Store

    barrier, errors = threading.Barrier(openers), []

    def open_store() -> None:
        barrier.wait()
        try:
            Store(path).close()
        except Exception as exc:  # collected, never hidden
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=open_store) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def scenario_first_open(work: Path, *, trials: int = 100, openers: int = 6) -> Outcome:
    """Sessions opening a store that does not exist yet, all at the same moment: every one gets it."""
    out = Outcome("sessions opening a new store at once", writers=openers, ops=trials * openers)
    errors = [e for i in range(trials) for e in open_at_once(work / f"new-{i}.sqlite", openers)]
    out.expect(not errors, f"{len(errors)} failed opens: {errors[:3]}")
    out.facts["errors"] = errors
    return out


def read_loop(db: Path, stop: threading.Event, started: threading.Barrier) -> dict:
    """A dashboard session's reads (its own connection) in a loop until `stop`: the map's mention rows, the
    place table, the totals. A read that errs, or whose sentences do not hold their mentions, is counted."""
    from geodata.store import Store

    store = Store(db)
    ops, errors, seen = 0, [], set()
    try:
        started.wait()
        while not stop.is_set():
            try:
                rows = store.mentions()
                summary = store.place_summary()
                seen.add(store.counts()["articles"])
                if not all(r.sentence[r.sentence_start:r.sentence_end] == r.text for r in rows.itertuples()) or (
                        len(summary) and summary.mentions.min() < 1):
                    errors.append("inconsistent read")
            except Exception as exc:  # collected, never hidden
                errors.append(f"{type(exc).__name__}: {exc}")
            ops += 1
    finally:
        store.close()
    return {"ops": ops, "errors": errors, "articles_seen": sorted(seen)}


def scenario_delete_while_reading(home: Path, work: Path, *, articles: int = 40, deletes: int = 20,
                                  readers: int = 3) -> Outcome:
    """`delete --article` of `deletes` articles (with corrections of their mentions) while `readers` dashboard-like
    sessions read: no read errs or sees half an article, the others are untouched and `Store.check()` stays []."""
    out = Outcome("delete while dashboard-like readers read", inputs=articles, writers=1)
    from geodata.records import Place
    from geodata.store import Store

    shutil.rmtree(work / "deleting", ignore_errors=True)
    db = seed_store(work / "deleting" / "store.sqlite", articles)
    store = Store(db)
    for article_id in (1, 2, deletes + 1):  # corrections of mentions of deleted and of kept articles, and a name
        mention_id = int(store.article_mentions(article_id).mention_id.iloc[0])
        store.correct("mention", str(mention_id), Place(f"user:m{mention_id}", "Fixed", 1.0, 2.0, source="user"))
    store.correct("name", CITIES[0], Place("user:name", "Fixed name", 3.0, 4.0, source="user"))
    store.close()
    contents = store_contents(db)
    stop, started, results = threading.Event(), threading.Barrier(readers + 1, timeout=60), []
    threads = [threading.Thread(target=lambda: results.append(read_loop(db, stop, started))) for _ in range(readers)]
    for thread in threads:
        thread.start()
    started.wait()
    run = cli("delete", *(a for i in range(1, deletes + 1) for a in ("--article", str(i))), "--db", str(db),
              home=home, log_dir=work / "logs", timeout=120)
    time.sleep(0.2)  # a last round of reads after the deletes
    stop.set()
    for thread in threads:
        thread.join()
    errors = [e for r in results for e in r["errors"]]
    out.expect(run.returncode == 0 and run.stderr.count("deleted article") == deletes and "Traceback" not in run.stderr,
               f"delete: exit {run.returncode}: {run.stderr[-400:]}")
    out.expect(not errors, f"{len(errors)} reads failed: {errors[:3]}")
    after = store_contents(db)
    kept = {f"p{i}": contents[f"p{i}"] for i in range(deletes, articles)}  # store ids 1.. are p0, p1...
    compare_stores(out, after, kept)
    problems = store_problems(db, mentions_everywhere=True)
    out.corrupted += len(problems)
    out.ops = sum(r["ops"] for r in results) + deletes
    out.facts.update(run=run, errors=errors, reads=sum(r["ops"] for r in results), problems=problems,
                     articles_seen=sorted({n for r in results for n in r["articles_seen"]}), left=len(after))
    return out


# -- the table ---------------------------------------------------------------------------------

def table(outcomes: Sequence[Outcome]) -> str:
    head = ("scenario", "inputs tried", "faults injected", "writers", "ops held", "lost", "corrupted", "result")
    rows = [(o.name, o.inputs, o.faults, o.writers, o.ops, o.lost, o.corrupted,
             "skipped" if o.facts.get("skipped") else "ok" if o.ok else "FAILED") for o in outcomes]
    total = ("total", sum(o.inputs for o in outcomes), sum(o.faults for o in outcomes),
             max((o.writers for o in outcomes), default=0), sum(o.ops for o in outcomes),
             sum(o.lost for o in outcomes), sum(o.corrupted for o in outcomes),
             "ok" if all(o.ok for o in outcomes) else "FAILED")
    cells = [tuple(str(c) for c in r) for r in [head, *rows, total]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    line = "| " + " | ".join("{:<%d}" % w if i == 0 else "{:>%d}" % w for i, w in enumerate(widths)) + " |"
    rule = "|" + "|".join(("-" * (w + 2)) if i == 0 else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line.format(*cells[0]), rule, *(line.format(*r) for r in cells[1:])])


def prepare_home(work: Path) -> tuple[Path, int]:
    """A data directory with a current gazetteer (a copy of ./data's when there is one) and its place count."""
    from geodata.gazetteer import open_gazetteer

    home = work / "home"
    shipped = ROOT / "data" / "gazetteer.sqlite"
    if shipped.exists():
        copy_sqlite(shipped, home / "gazetteer.sqlite")
    gaz = open_gazetteer(home / "gazetteer.sqlite", progress=lambda m: print(m, file=sys.stderr))  # if stale
    places = gaz.count()
    gaz.conn.close()
    return home, places


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="geodata-stress-") as tmp:
        work = Path(tmp)
        home, places = prepare_home(work)
        steps: list[tuple[str, Callable[[Path], Outcome]]] = [
            ("bad-inputs", lambda w: scenario_bad_inputs(home, w)),
            ("hostile-text", lambda w: scenario_hostile_text(home, w)),
            ("ingest-kill", lambda w: scenario_ingest_kill(home, w, articles=80, kill_at=(3, 20, 45, 70))),
            ("gazetteer-kill", lambda w: scenario_gazetteer_build_kill(w, reference_places=places)),
            ("geonames-kill", lambda w: scenario_geonames_kill(home / "gazetteer.sqlite", w)),
            ("damaged", lambda w: scenario_damaged_files(home, w)),
            ("read-only", lambda w: scenario_read_only(home, w)),
            ("read-only-home", lambda w: scenario_read_only_home(home, w)),
            ("disk-full", lambda w: scenario_disk_full(home, w)),
            ("export-disk-full", lambda w: scenario_export_disk_full(home, w)),
            ("concurrent", lambda w: scenario_concurrent(home, w, articles=200, writers=3, min_ops=200)),
            ("first-open", lambda w: scenario_first_open(w, trials=300)),
            ("delete-reading", lambda w: scenario_delete_while_reading(home, w, articles=200, deletes=100)),
        ]
        outcomes = []
        for label, step in steps:
            t = time.monotonic()
            (work / label).mkdir()
            outcome = step(work / label)
            outcomes.append(outcome)
            status = "ok" if outcome.ok else "FAILED: " + "; ".join(outcome.failures)[:600]
            print(f"{label}: {time.monotonic() - t:.1f} s, {status}", file=sys.stderr, flush=True)
    print(table(outcomes))
    print(f"\n{time.monotonic() - started:.0f} s in all")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        sys.exit(worker_main(sys.argv[2:]))
    sys.exit(main())
