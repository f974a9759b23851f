"""Settings and options refused with a message naming them; output files written whole or not at all
(missing folder, a folder in the way, a full disk); read-only data folders still export. Through the
CLI, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.stress.faults import file_size_limit, make_read_only, make_writable, without_permission_override
from geodata.config import Settings, SettingsError
from geodata.outputs import OutputError, write_text
from tests.conftest import SEED, copy_sqlite, run_cli


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Path:
    """A data folder with the gazetteer and a store holding the seed (ingested by the CLI)."""
    folder = tmp_path_factory.mktemp("outputs") / "home"
    folder.mkdir()
    copy_sqlite(home / "gazetteer.sqlite", folder / "gazetteer.sqlite")
    done = run_cli("ingest", str(SEED), home=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("name, value, says", [
    ("GEODATA_BATCH_SIZE", "0", "must be between 1"),
    ("GEODATA_BATCH_SIZE", "abc", "expected a whole number"),
    ("GEODATA_BATCH_SIZE", "-1", "must be between 1"),
    ("GEODATA_GEOCODER_TIMEOUT", "x", "expected a number"),
    ("GEODATA_GEOCODER_DELAY", "nan", "finite"),
    ("GEODATA_MAX_TEXT_CHARS", "2000000", "must be between 1 and 1e+06"),
    ("GEODATA_OFFLINE", "maybe", "expected 1/0"),
    ("GEODATA_GEOCODER", "gogle", "expected one of nominatim"),
])
def test_bad_settings_are_refused_naming_the_variable(name: str, value: str, says: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name) as caught:
        Settings()
    assert says in str(caught.value)


def test_a_bad_setting_stops_the_cli_with_one_line(data: Path) -> None:
    done = run_cli("ingest", str(SEED), home=data, env={"GEODATA_BATCH_SIZE": "0"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "error: GEODATA_BATCH_SIZE=0: must be between 1 and 10000"


@pytest.mark.parametrize("options, says", [
    (["--from", "notadate"], "is not a date"),
    (["--to", "2019-02-30"], "is not a date"),
    (["--min-confidence", "nan"], "between 0 and 1"),
    (["--min-confidence", "1.5"], "between 0 and 1"),
])
def test_export_refuses_filters_that_would_silently_match_nothing(data: Path, tmp_path: Path, options: list[str],
                                                                  says: str) -> None:
    done = run_cli("export", "--csv", str(tmp_path / "m.csv"), *options, home=data)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "m.csv").exists()


@pytest.mark.parametrize("target, says", [("missing/m.html", "does not exist"), (".", "is a folder")])
def test_export_to_a_bad_place_says_why_and_leaves_nothing(data: Path, tmp_path: Path, target: str,
                                                           says: str) -> None:
    done = run_cli("export", "--html", str(tmp_path / target), home=data)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_export_onto_a_full_disk_leaves_the_old_file_whole(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    target.write_text("the previous export", encoding="utf-8")
    done = run_cli("export", "--html", str(target), home=data, preexec_fn=file_size_limit(200_000))
    assert done.returncode == 2 and "not written" in done.stderr and "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temporary file left


def test_parse_out_is_written_whole(data: Path, tmp_path: Path) -> None:
    done = run_cli("parse", str(SEED), "--out", str(tmp_path / "no" / "out.jsonl"), home=data)
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = run_cli("parse", str(SEED), "--out", str(tmp_path / "out.jsonl"), home=data)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["mentions"]


def test_write_text_refuses_without_leaving_a_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        write_text(tmp_path, "x")
    write_text(tmp_path / "a.txt", "whole")
    assert (tmp_path / "a.txt").read_text() == "whole" and len(list(tmp_path.iterdir())) == 1


def test_a_read_only_data_folder_still_exports(data: Path, tmp_path: Path) -> None:
    """Root ignores chmod: the CLI runs without the capabilities that let it, so the kernel enforces it."""
    folder = tmp_path / "ro"
    folder.mkdir()
    for name in ("gazetteer.sqlite", "store.sqlite"):
        copy_sqlite(data / name, folder / name)
    make_read_only(folder)
    try:
        done = run_cli("export", "--csv", str(tmp_path / "m.csv"), home=folder,
                       preexec_fn=without_permission_override)
        refused = run_cli("delete", "--article", "1", home=folder, preexec_fn=without_permission_override)
    finally:
        make_writable(folder)
    assert done.returncode == 0, done.stderr
    assert "Baghuz" in (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert refused.returncode == 2 and "read-only" in refused.stderr and "Traceback" not in refused.stderr
