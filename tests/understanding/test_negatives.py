"""Borrowed out-of-scope text (outlier exposure): trained on in every fit, never held out."""

import json
import pathlib

import numpy as np
import pytest
from typer.testing import CliRunner

from tandem.understanding.cli import app
from tandem.understanding.linear import TrainOptions, holdout_splits, train_classifier
from tandem.understanding.normalize import normalize
from tandem.understanding.training import Example, read_texts, train_task
from tandem.understanding.types import OOS

IN_SCOPE = {
    "refund": ["我要退款", "怎么退款", "把钱退给我", "申请退款", "能退钱吗", "i want a refund",
               "refund me please", "give me my money back", "退款怎么申请", "我想退款"],
    "where_is_parcel": ["我的快递到哪了", "查一下物流", "包裹到哪里了", "快递怎么还没到", "物流不更新",
                        "where is my package", "track my parcel", "my parcel has not arrived",
                        "快递到哪了", "帮我查快递"],
    "size": ["穿什么码", "尺码偏大吗", "170穿多大", "尺码表在哪", "what size should i get",
             "does it run small", "is it true to size", "我该选哪个尺码", "鞋子偏码吗", "m码合适吗"],
}  # fmt: skip
BORROWED = ["今天天气怎么样", "给我讲个笑话", "股票会涨吗", "what's the weather", "tell me a joke",
            "who is the president", "how tall is mount everest", "明天会下雨吗"]  # fmt: skip
TRAIN = [Example(t, label) for label, rows in IN_SCOPE.items() for t in rows]


def test_borrowed_rows_sit_in_every_training_part_and_in_no_hold_out() -> None:
    labels = ["a"] * 20 + ["b"] * 20 + [OOS] * 6 + [OOS] * 10
    borrowed = [False] * 46 + [True] * 10
    splits = holdout_splits(labels, borrowed)
    assert len(splits) == 3
    for tr, ho in splits:
        assert set(range(46, 56)) <= set(tr)
        assert not set(ho) & set(range(46, 56))
        assert sorted(tr + ho) == list(range(56))
        # 15 % of the set's own rows per label: 3 of a, 3 of b, 1 of the 6 own oos.
        held = [labels[i] for i in ho]
        assert (held.count("a"), held.count("b"), held.count(OOS)) == (3, 3, 1)
    # Without borrowed rows nothing changes: the same splits as before the option existed.
    assert holdout_splits(labels[:46], [False] * 46) == holdout_splits(labels[:46])


def test_the_held_out_probabilities_hold_only_the_sets_own_rows() -> None:
    texts = [normalize(e.text) for e in TRAIN] + [normalize(t) for t in BORROWED]
    labels = [e.label for e in TRAIN] + [OOS] * len(BORROWED)
    fixed = [False] * len(TRAIN) + [True] * len(BORROWED)
    clf, proba, gold = train_classifier(texts, labels, TrainOptions(), always_train=fixed)
    assert OOS in clf.classes
    # Three rounds, 2 of each label's 10 own rows held out (round(1.5)); no borrowed one.
    assert len(gold) == len(proba) == 3 * 3 * 2
    assert OOS not in gold


def test_an_intent_head_learns_out_of_scope_from_borrowed_text_alone() -> None:
    model = train_task("intent", TRAIN, negatives=BORROWED)
    assert OOS in model.classifier.classes
    assert model.predict(normalize("what will the weather be tomorrow")).out_of_scope  # type: ignore[union-attr]
    assert model.predict(normalize("我想申请退款")).intent == "refund"  # type: ignore[union-attr]
    without = train_task("intent", TRAIN)
    assert OOS not in without.classifier.classes


def test_borrowed_text_is_refused_where_it_means_nothing() -> None:
    with pytest.raises(ValueError, match="intent"):
        train_task("emotion", [Example("好", "happy"), Example("差", "angry")], negatives=["x"])
    # A head over the embedding needs the borrowed texts' embeddings too.
    vectors = np.ones((len(TRAIN), 4), np.float32)
    with pytest.raises(ValueError, match="embeddings"):
        train_task("intent", TRAIN, vectors=vectors, negatives=BORROWED)


def _write(path: pathlib.Path, rows: list[dict[str, str]]) -> pathlib.Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_the_cli_trains_with_a_negatives_file_and_says_what_is_wrong_with_a_bad_one(
    tmp_path: pathlib.Path,
) -> None:
    data = _write(tmp_path / "train.jsonl", [{"text": e.text, "label": e.label} for e in TRAIN])
    neg = _write(tmp_path / "neg.jsonl", [{"text": t, "source": "elsewhere"} for t in BORROWED])
    out = tmp_path / "model"
    runner = CliRunner()
    args = ["train", "--task", "intent", "--data", str(data), "--out", str(out)]
    res = runner.invoke(app, [*args, "--negatives", str(neg)])
    assert res.exit_code == 0, res.output
    assert OOS in json.loads((out / "config.json").read_text("utf-8"))["classes"]
    res = runner.invoke(app, [*args, "--negatives", str(tmp_path / "missing.jsonl")])
    # The console wraps long paths: read the message without its line breaks.
    assert res.exit_code == 2 and "missing.jsonl" in "".join(res.output.split())
    bad = _write(tmp_path / "bad.jsonl", [{"text": "fine"}, {"label": "oos"}])
    res = runner.invoke(app, [*args, "--negatives", str(bad)])
    said = "".join(res.output.split())
    assert res.exit_code == 2 and "bad.jsonl:2" in said and "`text`" in said


def test_read_texts_keeps_the_text_and_ignores_other_fields(tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path / "n.jsonl", [{"text": "a", "label": "x"}, {"text": "b"}])
    assert read_texts(path) == ["a", "b"]
