"""Verb forms judged by inflection, as the apology check reads them."""

import pytest

from couples.repair.verbs import participle_lemmas, past_lemmas


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("said", "say"),
        ("agreed", "agree"),
        ("guaranteed", "guarantee"),
        ("went", "go"),
        ("forgot", "forget"),
        ("overslept", "oversleep"),
        ("misunderstood", "misunderstand"),
        ("was", "be"),
        ("cried", "cry"),
        ("stopped", "stop"),
        ("hoped", "hope"),
        ("asked", "ask"),
        ("Said", "say"),
    ],
)
def test_simple_pasts_give_their_verb(word, lemma):
    assert lemma in past_lemmas(word)


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("been", "be"), ("forgotten", "forget"), ("said", "say"), ("ignored", "ignore")],
)
def test_participles_give_their_verb(word, lemma):
    assert lemma in participle_lemmas(word)


@pytest.mark.parametrize("word", ["need", "proceed", "bed", "go", "gone", "ed", "seed", "speak"])
def test_words_that_are_no_simple_past_give_none(word):
    assert past_lemmas(word) == frozenset()


@pytest.mark.parametrize("word", ["went", "was", "need", "take"])
def test_words_that_are_no_participle_give_none(word):
    assert participle_lemmas(word) == frozenset()
