"""Key-term coverage (dense.key_term_features): how much of what the question asks about an
entry leaves out ("免费改衣长" against the fabric entry), as answer-layer features."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.knowledge.dense import DenseLayers, key_term_features
from tandem.knowledge.lexicon import Lexicon
from tandem.knowledge.text import prepare

# Five words, each its own direction, and "tailor" close to "alteration" (cosine 0.8).
_WORDS = ("free", "hem", "alteration", "cashmere", "coat", "tailor")


def _lexicon() -> Lexicon:
    vectors = np.zeros((len(_WORDS), 8), dtype=np.float32)
    for i in range(5):
        vectors[i, i] = 1.0
    vectors[5, 2], vectors[5, 6] = 0.8, 0.6  # unit length, cosine 0.8 with "alteration"
    return Lexicon(
        idf={"free": 2.0, "hem": 4.0, "alteration": 4.0, "cashmere": 3.0, "coat": 3.0},
        default_idf=4.0,
        vocab={w: i for i, w in enumerate(_WORDS)},
        vectors=vectors,
    )


def test_words_the_entry_leaves_out_are_counted_by_their_weight() -> None:
    lex = _lexicon()
    query = prepare("free hem alteration cashmere coat")
    fabric = ["cashmere coat fabric", "100 cashmere"]
    uncovered, worst = key_term_features(query, fabric, lex)
    # free (2) + hem (4) + alteration (4) missing out of 2 + 4 + 4 + 3 + 3 = 16.
    assert uncovered == pytest.approx(10 / 16)
    # the heaviest miss (hem or alteration, idf 4) over the default idf 4.
    assert worst == pytest.approx(1.0)


def test_a_near_word_covers_and_a_repeated_entry_covers_everything() -> None:
    lex = _lexicon()
    query = prepare("free hem alteration cashmere coat")
    # "tailor" is 0.8 from "alteration": over NEAR_WORD (0.65), so alteration counts as covered.
    uncovered, _ = key_term_features(query, ["cashmere coat tailor"], lex)
    assert uncovered == pytest.approx(6 / 16)
    assert key_term_features(query, ["free hem alteration for the cashmere coat"], lex) == (0, 0)


def test_numbers_and_question_shapes_are_not_key_terms() -> None:
    lex = _lexicon()
    # An order number is never in an entry; "可不可以" is how the question is asked.
    assert key_term_features(prepare("coat 20261101000123"), ["coat"], lex) == (0.0, 0.0)
    assert key_term_features(prepare("可不可以"), ["coat"], lex) == (0.0, 0.0)
    # English words are matched as words: "hem" is not covered by "them".
    assert key_term_features(prepare("hem"), ["them"], lex)[0] == pytest.approx(1.0)


def test_a_layer_fitted_before_key_terms_reads_as_it_did(tmp_path) -> None:  # type: ignore[no-untyped-def]
    old = DenseLayers(0.9, 0.03, (1.0, 0.5, 0.0), 0.5, (0.0,) * 10, 0.5)
    old.save(tmp_path)
    loaded = DenseLayers.load(tmp_path)
    assert loaded is not None and not loaded.key_terms
    new = DenseLayers(0.9, 0.03, (1.0, 0.5, 0.0), 0.5, (0.0,) * 12, 0.5, key_terms=True)
    new.save(tmp_path)
    again = DenseLayers.load(tmp_path)
    assert again is not None and again.key_terms and len(again.answer_weights) == 12
