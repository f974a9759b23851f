"""Exports of a filtered view: GeoJSON and CSV content, the standalone HTML map, and the same
from the command line (`python -m geodata export`) with its filter options."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from geodata import export
from geodata.documents import load_paths, read_bytes
from geodata.resolve import IN_ARTICLE_TOWN
from geodata.store import Filters, Store
from tests.conftest import ROOT, copy_sqlite, run_cli

EXTRA = {"id": "extra-2020", "title": "Talks in Paris", "published": "2020-05-04", "source": "Wire",
         "text": 'Ministers met in Paris on Monday, then flew to Berlin. "We agreed, mostly," one said.'}
XSS = {"id": "xss", "title": 'Breaking <img src=x onerror="window.__xss=3">', "published": "2021-01-01",
       "text": "Crowds in Damascus chanted <script>window.__xss=1</script> and "
               '<img src=x onerror="window.__xss=2"> loudly.'}


@pytest.fixture(scope="session")
def export_store(tmp_path_factory: pytest.TempPathFactory, pipeline) -> Path:
    """Seeds plus two articles, one of them hostile; parsed once."""
    path = tmp_path_factory.mktemp("export") / "store.sqlite"
    docs = load_paths([ROOT / "seeds"]).documents
    docs += read_bytes("extra.jsonl", "\n".join(json.dumps(d) for d in (EXTRA, XSS)).encode()).documents
    store = Store(path)
    assert store.add_all(pipeline.parse(docs)).added == 3
    store.close()
    return path


@pytest.fixture
def store(export_store: Path) -> Store:
    db = Store(export_store)
    yield db
    db.close()


def article_id(store: Store, doc_id: str) -> int:
    articles = store.articles()
    return int(articles[articles.doc_id == doc_id].id.iloc[0])


def test_geojson_of_a_filtered_view(store: Store) -> None:
    _, mentions = export.view(store, Filters(countries=("SY",)))
    assert not mentions.empty
    collection = json.loads(json.dumps(export.geojson(mentions)))  # plain JSON all the way down
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == len(mentions)
    assert {f["properties"]["country"] for f in features} == {"SY"}
    syria = next(f for f in features if f["properties"]["place_name"] == "Syria")
    assert syria["geometry"] == {"type": "Point", "coordinates": [38.0, 35.0]}  # lon, lat
    props = syria["properties"]
    assert props["title"].startswith("Jihadists block roads") and props["published"] == "2019-02-17"
    assert props["text"] in props["sentence"] and isinstance(props["mention_id"], int)
    assert set(props) == set(export.CSV_COLUMNS) - {"lat", "lon"}


def test_csv_of_a_filtered_view(store: Store) -> None:
    filters = Filters(articles=(article_id(store, "extra-2020"),))
    _, mentions = export.view(store, filters)
    rows = list(csv.DictReader(io.StringIO(export.csv_text(mentions))))
    assert list(rows[0]) == export.CSV_COLUMNS
    assert {r["place_name"] for r in rows} == {"Paris", "Berlin"}
    paris = next(r for r in rows if r["place_name"] == "Paris" and r["sentence"] != r["title"])  # not the title's
    assert paris["country"] == "FR" and paris["title"] == "Talks in Paris" and paris["published"] == "2020-05-04"
    assert paris["sentence"] == "Ministers met in Paris on Monday, then flew to Berlin."
    assert abs(float(paris["lat"]) - 48.85) < 0.1


STREET = {"id": "street", "title": "Parade", "published": "2018-02-10",
          "text": "The parade left Press Street in New Orleans on Sunday. New Orleans police closed Royal Street, "
                  "and crowds from Baton Rouge joined them."}


def test_exports_say_why_a_mention_has_its_place(tmp_path: Path, pipeline) -> None:
    """A street no gazetteer holds, placed at its article's town, says so in the CSV and the GeoJSON (the
    recipient can tell it from a place the gazetteer found); corrected, it says the correction placed it."""
    store = Store(tmp_path / "store.sqlite")
    assert store.add_all(pipeline.parse(read_bytes("street.jsonl", json.dumps(STREET).encode()).documents)).added == 1
    rows = {r["text"]: r for r in csv.DictReader(io.StringIO(export.csv_text(store.mentions())))}
    assert rows["Press Street"]["place_name"] == "New Orleans"
    assert rows["Press Street"]["reason"] == IN_ARTICLE_TOWN and rows["Baton Rouge"]["reason"] == ""
    props = {f["properties"]["text"]: f["properties"] for f in export.geojson(store.mentions())["features"]}
    assert props["Press Street"]["reason"] == IN_ARTICLE_TOWN and props["Baton Rouge"]["reason"] is None
    page = export.map_html(*export.view(store, Filters()))  # the map's popup marks it apart and says why
    popups = {row[6]: row[5] for row in json.loads(re.search(r"var data = (\[.*?\]);\n", page).group(1))}
    popup = popups[rows["Press Street"]["place_id"]]
    reason = html.escape(IN_ARTICLE_TOWN)
    assert f"<mark class='gd-reason' title='{reason}'>Press Street</mark>" in popup
    assert "<mark>New Orleans</mark>" in popup and popup.count(reason) == 2  # the mark's title and the note

    new_orleans = store.place(rows["Press Street"]["place_id"])
    store.correct_name("Press Street", new_orleans)  # accepted by the user: now certain
    rows = {r["text"]: r for r in csv.DictReader(io.StringIO(export.csv_text(store.mentions())))}
    assert (rows["Press Street"]["reason"], rows["Press Street"]["confidence"]) == ("placed by a correction", "1.0")
    marks = store.article_mentions(int(rows["Press Street"]["article_id"])).set_index("text")
    assert marks.reason["Press Street"] == "placed by a correction"  # the article view's tooltip too
    store.close()


def test_filters_reach_the_exports(store: Store, tmp_path: Path) -> None:
    everything = store.mentions()
    counts = export.write_exports(store, Filters(date_from="2020", date_to="2020-12-31"), html=tmp_path / "m.html",
                                  geojson_path=tmp_path / "m.geojson", csv_path=tmp_path / "m.csv")
    geo = json.loads((tmp_path / "m.geojson").read_text())
    assert counts["mentions"] == len(geo["features"]) < len(everything)
    assert {f["properties"]["title"] for f in geo["features"]} == {"Talks in Paris"}
    assert len(list(csv.DictReader((tmp_path / "m.csv").open()))) == counts["mentions"]
    page = (tmp_path / "m.html").read_text()
    assert "Paris" in page and "Jihadists" not in page


def test_map_html_is_standalone_and_escaped(store: Store) -> None:
    places, mentions = export.view(store, Filters(articles=(article_id(store, "xss"),)))
    page = export.map_html(places, mentions)
    assert f"<title>Places in the news: {len(places)} place(s), {len(mentions)} mention(s)</title>" in page
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    # Nothing fetched from the network (the OSM tile layer aside, which says when it fails).
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)=["']?https?://""", page)
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    popups = [row[5] for row in json.loads(re.search(r"var data = (\[.*?\]);\n", page).group(1))]
    assert any("&lt;script&gt;window.__xss=1&lt;/script&gt;" in p for p in popups)  # shown as text


def cli_export(tmp_path: Path, db: Path, *options: str):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    result = run_cli("export", "--db", str(db), "--geojson", str(out / "m.geojson"), "--csv", str(out / "m.csv"),
                     "--html", str(out / "m.html"), *options, home=tmp_path / "home")
    return result, out


def test_cli_export_with_filters(export_store: Path, tmp_path: Path) -> None:
    db = copy_sqlite(export_store, tmp_path / "store.sqlite")

    result, out = cli_export(tmp_path, db, "--country", "sy")
    assert result.returncode == 0, result.stderr
    geo = json.loads((out / "m.geojson").read_text())
    assert geo["features"] and {f["properties"]["country"] for f in geo["features"]} == {"SY"}
    assert f"{len(geo['features'])} mention(s)" in result.stderr
    assert "Syria" in (out / "m.html").read_text()

    result, out = cli_export(tmp_path, db, "--place", "paris", "--place", "Berlin")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((out / "m.csv").open()))
    assert {r["place_name"] for r in rows} == {"Paris", "Berlin"}

    result, out = cli_export(tmp_path, db, "--article", "afp-2019-02-17-baghouz", "--kind", "country",
                             "--no-demonyms")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((out / "m.csv").open()))
    assert rows and {r["title"] for r in rows} == {'Jihadists block roads out of the last IS "caliphate" pocket '
                                                   'in Baghouz, Syria'}
    assert {r["place_kind"] for r in rows} == {"country"} and {r["kind"] for r in rows} == {"toponym"}

    article = str(article_id(Store(db), "extra-2020"))
    result, out = cli_export(tmp_path, db, "--article", article)
    assert result.returncode == 0, result.stderr
    assert {r["title"] for r in csv.DictReader((out / "m.csv").open())} == {"Talks in Paris"}


def test_cli_export_errors(export_store: Path, tmp_path: Path) -> None:
    db = copy_sqlite(export_store, tmp_path / "store.sqlite")
    result, out = cli_export(tmp_path, db, "--place", "Atlantis")
    assert result.returncode == 2 and "--place 'Atlantis': no such place in the store" in result.stderr
    assert not (out / "m.csv").exists()
    result = run_cli("export", "--db", str(db), home=tmp_path / "home")
    assert result.returncode == 2 and "nothing to export" in result.stderr


def test_cli_export_uses_geodata_home(export_store: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    copy_sqlite(export_store, home / "store.sqlite")
    result = run_cli("export", "--csv", str(tmp_path / "all.csv"), home=home)
    assert result.returncode == 0, result.stderr
    assert len(list(csv.DictReader((tmp_path / "all.csv").open()))) == len(Store(home / "store.sqlite").mentions())
    shutil.rmtree(home)


def test_kml_reads_back_with_the_places_their_popups_and_figures(store: Store, tmp_path: Path) -> None:
    from fastkml import kml

    places, mentions = export.view(store, Filters())
    document = next(iter(kml.KML.from_string(export.kml_text(places, mentions)).features))
    marks = {p.name: p for p in document.features}
    assert set(marks) == set(places.name)
    syria = marks["Syria"]
    assert (syria.geometry.x, syria.geometry.y) == (38.0, 35.0)
    figures = {d.name: d.value for d in syria.extended_data.elements}
    assert figures["kind"] == "country" and figures["country"] == "SY" and figures["geonameid"] == "163843"
    assert int(figures["mentions"]) == int(places.set_index("name").mentions["Syria"])
    # The balloon is the map's popup: HTML built from escaped text, so the hostile article stays text.
    damascus = marks["Damascus"].description
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in damascus and "<script>" not in damascus
    done = run_cli("export", "--kml", str(tmp_path / "p.kml"), "--country", "SY", "--db", str(store.path),
                   home=tmp_path)
    assert done.returncode == 0, done.stderr
    back = next(iter(kml.KML.parse(str(tmp_path / "p.kml")).features))
    assert {p.name for p in back.features} == set(store.place_summary(Filters(countries=("SY",))).name)
