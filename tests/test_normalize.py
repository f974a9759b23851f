from hypothesis import given
from hypothesis import strategies as st

from geodata.gazetteer import normalize


def test_case_accents_punctuation_and_the():
    assert normalize("The Gaza Strip") == "gaza strip"
    assert normalize("Deir ez-Zor") == normalize("deir ez zor") == "deir ez zor"
    assert normalize("São Paulo") == "sao paulo"
    assert normalize("U.S.") == normalize("US") == "us"
    assert normalize("Côte d’Ivoire") == normalize("Cote d'Ivoire")


def test_a_bare_the_stays():
    assert normalize("The") == "the"


@given(st.text())
def test_never_crashes_and_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once or once.startswith("the ")
    assert once == once.strip()
