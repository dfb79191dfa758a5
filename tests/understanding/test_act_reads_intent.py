"""The act head read together with the intent: cross-fitted probabilities, the saved reading,
and a model folder whose intent head no longer matches its act head."""

import pathlib
import shutil

import numpy as np
import pytest

from tandem.understanding import load_understanding
from tandem.understanding.act import ActModel, IntentReading, train_act
from tandem.understanding.encoder import NullEncoder
from tandem.understanding.linear import TrainOptions
from tandem.understanding.normalize import normalize
from tandem.understanding.pipeline import DEMO_MODEL_DIR
from tandem.understanding.stacking import crossfit_intent_proba, label_folds
from tandem.understanding.training import Example, train_task

INTENT_ROWS = [
    Example(t, y)
    for y, texts in {
        "refund": ["我要退款", "把钱退给我", "申请退款", "退款给我", "refund me", "退钱"],
        "where_is_parcel": [
            "快递到哪了",
            "查物流",
            "包裹在哪",
            "物流信息",
            "where is it",
            "到哪了",
        ],
        "greeting": ["你好", "在吗", "hello", "hi", "亲在吗", "您好"],
    }.items()
    for t in texts
]
ACT_ROWS = [
    ("退款要多久", "question"),
    ("快递到哪了", "question"),
    ("运费谁出", "question"),
    ("帮我退款", "request"),
    ("帮我查物流", "request"),
    ("给我退钱", "request"),
    ("你好", "chitchat"),
    ("在吗", "chitchat"),
    ("谢谢", "chitchat"),
]


def test_label_folds_spread_every_label_over_the_folds() -> None:
    labels = ["a"] * 5 + ["b"] * 10
    fold = label_folds(labels, 5)
    assert sorted(fold[:5]) == [0, 1, 2, 3, 4]
    assert sorted(fold[5:]) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_an_intent_example_is_read_by_a_head_that_did_not_train_on_it() -> None:
    # "退钱" is a refund example: the head trained on all rows has seen it, the head that reads
    # it here has only the other refund examples to go by, so it is less sure.
    classes, oof = crossfit_intent_proba(["退钱"], None, INTENT_ROWS, None, folds=3)
    full = train_task("intent", INTENT_ROWS)
    seen = full.classifier.proba(normalize("退钱"))
    k = classes.index("refund")
    assert full.classifier.classes == classes
    assert oof[0, k] < seen[k]
    assert abs(float(oof[0].sum()) - 1.0) < 1e-5


def test_a_text_no_intent_head_saw_gets_the_mean_of_all_heads() -> None:
    classes, oof = crossfit_intent_proba(["物流怎么查"], None, INTENT_ROWS, None, folds=3)
    assert abs(float(oof[0].sum()) - 1.0) < 1e-5
    assert classes[int(oof[0].argmax())] == "where_is_parcel"


def _act_model(classes: tuple[str, ...]) -> ActModel:
    texts = [normalize(t) for t, _ in ACT_ROWS]
    # A probability row per text: the first intent for questions and requests, the last for
    # chitchat, as an intent head would give them.
    proba = np.zeros((len(texts), len(classes)), np.float32)
    for i, (_, act) in enumerate(ACT_ROWS):
        proba[i, -1 if act == "chitchat" else 0] = 1.0
    return train_act(
        texts,
        [y for _, y in ACT_ROWS],
        TrainOptions(c=1.0),
        intent=(IntentReading(classes, 2.0), proba),
    )


def test_the_intent_reading_is_saved_and_required(tmp_path: pathlib.Path) -> None:
    model = _act_model(("refund", "oos", "greeting"))
    model.save(tmp_path / "act")
    loaded = ActModel.load(tmp_path / "act")
    assert loaded.intent == IntentReading(("refund", "oos", "greeting"), 2.0)
    proba = np.array([1.0, 0.0, 0.0], np.float32)
    assert loaded.predict(normalize("帮我退款"), intent_proba=proba).act == "request"
    with pytest.raises(ValueError, match="intent_proba"):
        loaded.predict(normalize("帮我退款"))
    with pytest.raises(ValueError, match="3 intents"):
        loaded.predict(normalize("帮我退款"), intent_proba=np.ones(2, np.float32) / 2)


def test_a_folder_whose_intent_head_changed_says_to_rebuild_the_act_head(
    tmp_path: pathlib.Path,
) -> None:
    root = tmp_path / "models"
    for task in ("intent", "emotion", "abuse"):
        shutil.copytree(DEMO_MODEL_DIR / task, root / task)
    _act_model(("refund", "oos", "greeting")).save(root / "act")
    with pytest.raises(ValueError, match="rebuild the act head"):
        load_understanding(root, NullEncoder("test"))
