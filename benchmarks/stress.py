"""`make stress`: bad input, injected faults and concurrent writers against the real CLI and store.

Every scenario runs real subprocesses on real files and SQLite databases, then checks what was
stored. The table at the end counts the inputs tried, the faults injected, the concurrent writers and
operations held, and the records lost or corrupted, which must be 0 (the exit code is 1 otherwise,
or when a fault was not reported clearly). tests/test_reliability.py and tests/test_concurrency.py
run the same scenarios through these helpers.

    python benchmarks/stress.py                      # everything, in a temporary GEODATA_HOME
    python benchmarks/stress.py worker correct|read  # one concurrent worker (started by `concurrent`)
"""

from __future__ import annotations

import ctypes
import hashlib
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
    """Everything wrong with a store file; [] for a consistent one. `mentions_everywhere`: every article
    is known to name places, so one without mentions lost them."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        problems = [f"integrity_check: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check")]
        checks = {
            "article without sentences": "SELECT a.doc_id FROM articles a WHERE NOT EXISTS "
                                         "(SELECT 1 FROM sentences s WHERE s.article_id = a.id)",
            "orphan mention": "SELECT m.id FROM mentions m LEFT JOIN articles a ON a.id = m.article_id "
                              "WHERE a.id IS NULL",
            "orphan sentence": "SELECT s.article_id FROM sentences s LEFT JOIN articles a ON a.id = s.article_id "
                               "WHERE a.id IS NULL",
            "mention outside its sentence": 'SELECT m.id FROM mentions m LEFT JOIN sentences s ON s.article_id = '
                                            'm.article_id AND s.idx = m.sentence WHERE s.idx IS NULL OR '
                                            'm.start < s.start OR m."end" > s."end"',
            "mention offsets do not give its text": 'SELECT m.id FROM mentions m JOIN articles a ON a.id = '
                                                    'm.article_id WHERE substr(a.text, m.start + 1, m."end" - '
                                                    'm.start) != m.text',
            "mention of a missing place": "SELECT m.id FROM mentions m LEFT JOIN places p ON p.id = m.place_id "
                                          "WHERE m.place_id IS NOT NULL AND p.id IS NULL",
            "correction of a missing place": "SELECT c.id FROM corrections c LEFT JOIN places p ON "
                                             "p.id = c.place_id WHERE p.id IS NULL",
            "two active corrections": "SELECT scope, key FROM corrections WHERE undone_at IS NULL "
                                      "GROUP BY scope, key HAVING COUNT(*) > 1",
        }
        if mentions_everywhere:
            checks["article without mentions"] = ("SELECT a.doc_id FROM articles a WHERE NOT EXISTS "
                                                  "(SELECT 1 FROM mentions m WHERE m.article_id = a.id)")
        for what, sql in checks.items():
            problems += [f"{what}: {row}" for row in conn.execute(sql).fetchall()[:5]]
        return problems
    finally:
        conn.close()


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


def bad_input_files(folder: Path, *, heavy: bool = True) -> dict[str, tuple[bytes, int, str]]:
    """file name -> (content, documents it should give, message expected on stderr ('' for none))."""
    folder.mkdir(parents=True, exist_ok=True)
    place_text = "Café owners in Zürich met officials from Paris."
    csv_rows = ('title,Text,date\n"One","Officials in Cairo\nmet envoys from Rome",2020-01-02\n"Bad","x","y","z"\n'
                '"Two","Trains left Madrid for Lisbon",\n')
    jsonl = "\n".join([json.dumps({"id": "j1", "text": "Talks in Oslo resumed."}), '{"text": broken', "[1, 2]",
                       '{"title": "no text"}', '{"text": 42}', json.dumps({"id": "j2", "text": "Aid reached Lima."})])
    cases: dict[str, tuple[bytes, int, str]] = {
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
    }
    for name, text in TRICKY_TEXTS.items():
        cases[f"{name}.txt"] = (text.encode("utf-8"), 1, "")
    if heavy:
        cases["huge.txt"] = (b"", 0, "huge.txt: text of 52,428,800 characters is over the")
        cases["long-line.txt"] = (long_line(200_000).encode("utf-8"), 1, "")
    for name, (data, _, _) in cases.items():
        if name != "huge.txt":
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
    out.inputs = len(cases)
    first = cli("ingest", str(SEED), "--db", str(db), home=home, log_dir=work / "logs")
    out.expect(first.returncode == 0, f"seed ingest failed: {first.stderr[-300:]}")
    before = store_contents(db)
    run = cli("ingest", str(folder), "--db", str(db), home=home, log_dir=work / "logs", timeout=time_limit)
    out.facts.update(returncode=run.returncode, stderr=run.stderr, seconds=run.seconds)
    out.expect(run.returncode != -signal.SIGKILL, f"the ingest took over {time_limit:.0f} s and was stopped")
    out.expect(run.returncode == 1, f"exit code {run.returncode}, expected 1 (input errors): {run.stderr[-500:]}")
    out.expect("Traceback" not in run.stderr, f"traceback: {run.stderr[-800:]}")
    for name, (_, _, message) in cases.items():
        out.expect(message in run.stderr, f"{name}: no message {message!r}")
    stored = store_contents(db)
    texts = [text for text, _, _ in stored.values()]
    expected_docs = 1 + sum(n for _, n, _ in cases.values()) - 1  # + the seed, - the duplicate text
    out.facts.update(stored=len(stored), expected=expected_docs)
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
            ("ingest-kill", lambda w: scenario_ingest_kill(home, w, articles=80, kill_at=(3, 20, 45, 70))),
            ("gazetteer-kill", lambda w: scenario_gazetteer_build_kill(w, reference_places=places)),
            ("geonames-kill", lambda w: scenario_geonames_kill(home / "gazetteer.sqlite", w)),
            ("damaged", lambda w: scenario_damaged_files(home, w)),
            ("read-only", lambda w: scenario_read_only(home, w)),
            ("disk-full", lambda w: scenario_disk_full(home, w)),
            ("concurrent", lambda w: scenario_concurrent(home, w, articles=200, writers=3, min_ops=200)),
            ("first-open", lambda w: scenario_first_open(w, trials=300)),
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
