"""One partition as two Parquet files: `articles/part-<key>.parquet` (one row per article: text, metadata,
content hash, sentences) and `mentions/part-<key>.parquet` (one row per mention: span, sentence, label,
kind, confidence, place), joined on `article_id`. A mention in the title is a row with sentence
`TITLE_SENTENCE` (-1) whose offsets are into the title; it follows the text's mentions, so a text
mention's `mention_index` is what it was before titles were geoparsed, and a result written before
then reads back with no title mentions. An article's `language` is the one it was read in (a result written
before languages reads back as English, what it was read as) and `declared_language` the one it declared;
`outlet_told` the divisions its first reading placed a town or county in surely and `outlet_home` the home it was
resolved with ("US/TX": `resolve/outlet.py`), from which the client settles outlets' homes across partitions.

A partition is written to hidden temporary files, fsync'ed, then renamed: mentions first, articles last.
The articles file is the commit mark; its Parquet metadata holds the partition's summary: fingerprint
and counts. A partition is complete when both files exist and the fingerprint matches, so a worker
killed mid-partition leaves only temporary files behind, and a re-run redoes only what is missing or
was made from other inputs.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..documents import LoadResult
from ..language import DEFAULT
from ..records import TITLE_SENTENCE, Document, Mention, ParsedDocument, Place, Sentence
from ..resolve.context import Division
from ..store import content_hash
from .partitions import PartitionSpec

ARTICLES, MENTIONS = "articles", "mentions"
META_KEY = b"geodata"

ARTICLE_SCHEMA = pa.schema([
    ("article_id", pa.string()),  # "<partition key>:<position>", unique in the result
    ("position", pa.int32()),  # order in the partition (= input order)
    ("doc_id", pa.string()),
    ("title", pa.string()),
    ("published", pa.string()),
    ("source", pa.string()),
    ("origin", pa.string()),
    ("text", pa.string()),
    ("content_hash", pa.string()),  # the store's dedupe key (sha256 of the text)
    ("sentence_starts", pa.list_(pa.int32())),
    ("sentence_ends", pa.list_(pa.int32())),
    ("gold_spans", pa.list_(pa.list_(pa.int32()))),  # given toponym spans, or null
    ("mentions", pa.int32()),  # its rows in the mentions table: the text's and the title's
    ("url", pa.string()),  # canonical URL of a web article; null in results made before it (read as None)
    ("language", pa.string()),  # ISO 639-1 code it was read in; null in results made before it (read as DEFAULT)
    ("declared_language", pa.string()),  # `Document.language`: declared, or null (detected)
    ("outlet_told", pa.list_(pa.string())),  # `Reading.told`, each "country/admin1"; null in results made before
    ("outlet_home", pa.string()),  # `Reading.home` as "country/admin1", or null (none)
])

MENTION_SCHEMA = pa.schema([
    ("article_id", pa.string()),
    ("doc_id", pa.string()),
    ("mention_index", pa.int32()),  # order in the article (text order)
    ("sentence", pa.int32()),  # TITLE_SENTENCE (-1): in the title, offsets (and sentence) into the title
    ("sentence_start", pa.int32()),
    ("sentence_end", pa.int32()),
    ("start", pa.int32()),
    ("end", pa.int32()),
    ("text", pa.string()),
    ("label", pa.string()),
    ("kind", pa.string()),
    ("confidence", pa.float64()),  # unrounded
    ("reason", pa.string()),
    ("place_id", pa.string()),
    ("place_name", pa.string()),
    ("lat", pa.float64()),
    ("lon", pa.float64()),
    ("country", pa.string()),
    ("feature", pa.string()),  # GeoNames "class.code"
    ("feature_class", pa.string()),
    ("feature_code", pa.string()),
    ("admin1", pa.string()),
    ("population", pa.int64()),
    ("geonameid", pa.int64()),
    ("place_source", pa.string()),
])


# What an article tells of its outlet's home, and the home it was read with (`pipeline.Reading`).
Outlet = tuple[frozenset[Division], Division | None]
NO_OUTLET: Outlet = (frozenset(), None)


@dataclass(frozen=True)
class OutletRow:
    """One article's outlet columns, as the client reads them back (`read_outlets`)."""

    position: int
    url: str | None
    told: frozenset[Division]
    home: Division | None


def part_path(out: Path, table: str, key: str) -> Path:
    return out / table / f"part-{key}.parquet"


def _division_text(division: Division) -> str:
    return "/".join(division)


def _division(text: str) -> Division:
    country, _, admin1 = text.partition("/")
    return country, admin1


# -- records to rows ---------------------------------------------------------------------------------


def _article_row(key: str, position: int, parsed: ParsedDocument, outlet: Outlet) -> dict[str, Any]:
    doc = parsed.document
    told, home = outlet
    return {
        "article_id": f"{key}:{position:06d}", "position": position, "doc_id": doc.id, "title": doc.title,
        "published": doc.published, "source": doc.source, "origin": doc.origin, "text": doc.text,
        "content_hash": content_hash(doc.text), "sentence_starts": [s.start for s in parsed.sentences],
        "sentence_ends": [s.end for s in parsed.sentences],
        "gold_spans": [list(s) for s in doc.spans] if doc.spans is not None else None,
        "mentions": len(parsed.mentions) + len(parsed.title_mentions), "url": doc.url,
        "language": parsed.language, "declared_language": doc.language,
        "outlet_told": sorted(_division_text(d) for d in told),
        "outlet_home": _division_text(home) if home is not None else None,
    }


def _sentence(parsed: ParsedDocument, index: int) -> Sentence | None:
    """The mention's sentence: one of the text's, or the whole title (`TITLE_SENTENCE`)."""
    if index == TITLE_SENTENCE:
        return Sentence(TITLE_SENTENCE, 0, len(parsed.document.title or ""))
    return parsed.sentences[index] if 0 <= index < len(parsed.sentences) else None


def _mention_row(article_id: str, parsed: ParsedDocument, index: int, m: Mention) -> dict[str, Any]:
    sent = _sentence(parsed, m.sentence)
    p = m.place
    return {
        "article_id": article_id, "doc_id": parsed.document.id, "mention_index": index, "sentence": m.sentence,
        "sentence_start": sent.start if sent else None, "sentence_end": sent.end if sent else None,
        "start": m.start, "end": m.end, "text": m.text, "label": m.label, "kind": m.kind,
        "confidence": m.confidence, "reason": m.reason,
        "place_id": p.id if p else None, "place_name": p.name if p else None, "lat": p.lat if p else None,
        "lon": p.lon if p else None, "country": p.country if p else None, "feature": p.feature if p else None,
        "feature_class": p.feature_class if p else None, "feature_code": p.feature_code if p else None,
        "admin1": p.admin1 if p else None, "population": p.population if p else None,
        "geonameid": p.geonameid if p else None, "place_source": p.source if p else None,
    }


def tables(key: str, parsed: Sequence[ParsedDocument],
           outlets: Sequence[Outlet] | None = None) -> tuple[pa.Table, pa.Table]:
    """The articles and mentions tables of one partition (`outlets`: each article's, by position; none told)."""
    articles, mentions = [], []
    for position, item in enumerate(parsed):
        row = _article_row(key, position, item, outlets[position] if outlets is not None else NO_OUTLET)
        articles.append(row)
        every = [*item.mentions, *item.title_mentions]  # the title's last: text mentions keep their index
        mentions.extend(_mention_row(row["article_id"], item, i, m) for i, m in enumerate(every))
    return (pa.Table.from_pylist(articles, schema=ARTICLE_SCHEMA),
            pa.Table.from_pylist(mentions, schema=MENTION_SCHEMA))


# -- atomic writes -------------------------------------------------------------------------------------


def _write_temp(table: pa.Table, final: Path, run_id: str) -> Path:
    """Write next to `final` under a hidden name unique to this attempt, flushed to disk."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".{final.name}.{run_id}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with open(temp, "wb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
    return temp


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_partition(out: Path, spec: PartitionSpec, parsed: Sequence[ParsedDocument], loaded: LoadResult,
                    run_id: str = "run", outlets: Sequence[Outlet] | None = None) -> dict[str, Any]:
    """Write one partition atomically: temp files, then rename mentions, then articles (the commit mark)."""
    articles, mentions = tables(spec.key, parsed, outlets)
    summary = {"key": spec.key, "fingerprint": spec.fingerprint, "documents": articles.num_rows,
               "mentions": mentions.num_rows, "errors": [str(e) for e in loaded.errors],
               "notes": [str(e) for e in loaded.notes]}
    articles = articles.replace_schema_metadata({META_KEY: json.dumps(summary).encode()})
    final_m, final_a = part_path(out, MENTIONS, spec.key), part_path(out, ARTICLES, spec.key)
    temp_m = _write_temp(mentions, final_m, run_id)
    temp_a = _write_temp(articles, final_a, run_id)
    os.replace(temp_m, final_m)
    _fsync_dir(final_m.parent)
    os.replace(temp_a, final_a)
    _fsync_dir(final_a.parent)
    return summary


def completed(out: Path, spec: PartitionSpec) -> dict[str, Any] | None:
    """The partition's summary when both of its files are there and were made from the same inputs."""
    articles, mentions = part_path(out, ARTICLES, spec.key), part_path(out, MENTIONS, spec.key)
    if not (articles.exists() and mentions.exists()):
        return None
    try:
        meta = pq.read_schema(articles).metadata or {}
        summary = json.loads(meta[META_KEY])
    except Exception:  # a foreign or damaged file: do it again
        return None
    return summary if summary.get("fingerprint") == spec.fingerprint else None


# -- rows back to records ------------------------------------------------------------------------------


def _place(row: dict[str, Any]) -> Place | None:
    if row["place_id"] is None:
        return None
    return Place(row["place_id"], row["place_name"], row["lat"], row["lon"], row["country"], row["feature_class"],
                 row["feature_code"], row["admin1"], row["population"], row["geonameid"], row["place_source"])


def read_outlets(out: Path, key: str) -> list[OutletRow]:
    """One partition's articles' outlet columns, in position order (a result written before them: none told)."""
    columns = ["position", "url", "outlet_told", "outlet_home"]
    rows = pq.read_table(part_path(out, ARTICLES, key), schema=ARTICLE_SCHEMA, columns=columns).to_pylist()
    return [OutletRow(r["position"], r["url"], frozenset(_division(t) for t in r["outlet_told"] or ()),
                      _division(r["outlet_home"]) if r["outlet_home"] else None)
            for r in sorted(rows, key=lambda r: r["position"])]


def read_partition(out: Path, key: str) -> list[ParsedDocument]:
    """One partition back as `ParsedDocument`s (the objects `Pipeline.parse` yielded)."""
    articles = pq.read_table(part_path(out, ARTICLES, key), schema=ARTICLE_SCHEMA).to_pylist()
    in_text: dict[str, list[Mention]] = defaultdict(list)
    in_title: dict[str, list[Mention]] = defaultdict(list)
    rows = pq.read_table(part_path(out, MENTIONS, key), schema=MENTION_SCHEMA).to_pylist()
    for row in sorted(rows, key=lambda r: (r["article_id"], r["mention_index"])):
        into = in_title if row["sentence"] == TITLE_SENTENCE else in_text
        into[row["article_id"]].append(Mention(
            row["start"], row["end"], row["text"], row["sentence"], row["label"], row["kind"], row["confidence"],
            _place(row), row["reason"]))
    parsed = []
    for a in sorted(articles, key=lambda r: r["position"]):
        spans = tuple(tuple(s) for s in a["gold_spans"]) if a["gold_spans"] is not None else None
        document = Document(a["doc_id"], a["text"], a["title"], a["published"], a["source"], a["origin"], spans,
                            a["url"], a["declared_language"])
        sentences = [Sentence(i, s, e) for i, (s, e) in enumerate(zip(a["sentence_starts"], a["sentence_ends"]))]
        parsed.append(ParsedDocument(document, sentences, in_text.get(a["article_id"], []),
                                     in_title.get(a["article_id"], []), a["language"] or DEFAULT))
    return parsed
