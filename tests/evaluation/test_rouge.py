import pytest

from tandem.evaluation.rouge import lcs_length, mean_scores, rouge_l, rouge_n, score


def test_identical_texts_score_one() -> None:
    s = score("用户询问退款。客服回答已退款。", "用户询问退款。客服回答已退款。")
    assert (s.rouge1, s.rouge2, s.rougeL) == (1.0, 1.0, 1.0)


def test_disjoint_texts_score_zero() -> None:
    s = score("你好", "再见")
    assert (s.rouge1, s.rouge2, s.rougeL) == (0.0, 0.0, 0.0)


def test_hand_computed_order_sensitive_example() -> None:
    # Same characters, different order: unigrams all match, no bigram does, LCS is 3 of 4.
    s = score("abcd", "acbd")
    assert s.rouge1 == 1.0
    assert s.rouge2 == 0.0
    assert s.rougeL == pytest.approx(0.75)


def test_hand_computed_chinese_example() -> None:
    # 用户/退款 match (4 of 6 characters); bigrams 用户 and 退款 match (2 of 5); LCS 4.
    s = score("用户询问退款", "用户要求退款")
    assert s.rouge1 == pytest.approx(4 / 6)
    assert s.rouge2 == pytest.approx(2 / 5)
    assert s.rougeL == pytest.approx(4 / 6)


def test_repeated_characters_are_clipped_to_the_reference_count() -> None:
    # One "a" in the reference can match only once: P = 1/3, R = 1, F1 = 0.5.
    assert rouge_n(list("aaa"), list("a"), 1) == pytest.approx(0.5)


def test_whitespace_is_not_a_token() -> None:
    assert score("退 款", "退款").rouge2 == 1.0


def test_empty_candidate_scores_zero() -> None:
    assert score("", "退款").rougeL == 0.0
    assert rouge_l([], list("退款")) == 0.0


def test_lcs_is_symmetric_and_correct() -> None:
    a, b = list("ABCBDAB"), list("BDCABA")
    assert lcs_length(a, b) == 4
    assert lcs_length(b, a) == 4


def test_mean_of_scores() -> None:
    m = mean_scores([score("ab", "ab"), score("ab", "cd")])
    assert m.rouge1 == pytest.approx(0.5)
    assert mean_scores([]).rougeL == 0.0
