"""Gold corpora in the shared/bench layout (one JSON document a line, `toponyms` with character
offsets and gold coordinates), and the development/test split."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..extract import is_demonym
from ..records import Document

# GeoWebNews types outside the standard gold set, and how the rest group (Gritta et al. 2019).
GWN_EXCLUDED = {"Non_Toponym", "Literal_Expression", "Non_Lit_Expression"}
GWN_LITERAL = {"Literal", "Mixed", "Literal_Modifier", "Embedded_Literal", "Coercion"}
# The halves of every corpus: documents on even lines (counting from 0) are for development
# (rules are made and tuned looking at them), documents on odd lines are the test half.
DEVELOPMENT, TEST = "development", "test"


class CorpusError(Exception):
    """The corpus file cannot be read as gold data."""


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    surface: str
    lat: float | None
    lon: float | None
    geonameid: int | None
    group: str  # GWN: literal/associative; LGL: GeoNames feature class
    demonym: bool
    feature: str | None = None  # the gold GeoNames feature ("P.PPLX") where the corpus gives it (LGL)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass
class GoldDocument:
    document: Document
    gold: list[Gold]
    line: int = 0  # the document's line in the corpus file, counting from 0

    @property
    def half(self) -> str:
        return TEST if self.line % 2 else DEVELOPMENT


def _gold_group(row: dict) -> str:
    if row.get("gwn_type"):
        return "literal" if row["gwn_type"] in GWN_LITERAL else "associative"
    return f"class {row['fclass']}" if row.get("fclass") else "class ?"


def _feature(row: dict) -> str | None:
    if not row.get("fclass"):
        return None
    return f"{row['fclass']}.{row['fcode']}" if row.get("fcode") else row["fclass"]


def gold_rows(raw: dict) -> list[Gold]:
    """A document's gold toponyms: the standard set, one per span, offsets checked."""
    text = raw["text"]
    seen: set[tuple[int, int]] = set()
    out = []
    for row in raw.get("toponyms", []):
        if row.get("gwn_type") in GWN_EXCLUDED or ("offset_fixed" in row and row["offset_fixed"] is None):
            continue
        span = (int(row["start"]), int(row["end"]))
        if span in seen or text[span[0]:span[1]] != row["surface"]:
            continue
        seen.add(span)
        gid = row.get("geonameid")
        out.append(Gold(span[0], span[1], row["surface"], row.get("lat"), row.get("lon"),
                        int(gid) if gid not in (None, "") else None, _gold_group(row),
                        is_demonym(row["surface"]), _feature(row)))
    return sorted(out, key=lambda g: g.start)


def load_corpus(path: Path, limit: int | None = None) -> list[GoldDocument]:
    """The corpus's documents (the first `limit`), each with its line number; errors name file and line."""
    docs = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line, text in enumerate(handle):
                if limit is not None and len(docs) >= limit:
                    break
                if not text.strip():
                    continue
                try:
                    raw = json.loads(text)
                    doc_id = str(raw.get("doc_id", raw.get("id", line + 1)))
                    document = Document(doc_id, raw["text"], raw.get("title"), url=raw.get("url") or None)
                    docs.append(GoldDocument(document, gold_rows(raw), line))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise CorpusError(f"{path}:{line + 1}: not a gold document ({exc})") from exc
    except OSError as exc:
        raise CorpusError(f"{path}: {exc.strerror or exc}") from exc
    return docs
