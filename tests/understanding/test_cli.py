"""train / eval / predict through the CLI, on a tiny data set written here."""

import json
import pathlib

import numpy as np
from typer.testing import CliRunner

from tandem.understanding.build import SHIPPED_OPTIONS
from tandem.understanding.cli import app
from tandem.understanding.linear import TextClassifier
from tandem.understanding.training import read_jsonl, train_task

ROWS = [
    ("我要退款", "refund"),
    ("怎么退款", "refund"),
    ("把钱退给我", "refund"),
    ("i want a refund", "refund"),
    ("refund me please", "refund"),
    ("申请退款", "refund"),
    ("我的快递到哪了", "where_is_parcel"),
    ("查一下物流", "where_is_parcel"),
    ("where is my package", "where_is_parcel"),
    ("包裹到哪里了", "where_is_parcel"),
    ("track my parcel", "where_is_parcel"),
    ("快递怎么还没到", "where_is_parcel"),
    ("今天天气怎么样", "oos"),
    ("给我讲个笑话", "oos"),
    ("tell me a joke", "oos"),
    ("what's the weather", "oos"),
    ("股票会涨吗", "oos"),
    ("你几岁了", "oos"),
]


def write(path: pathlib.Path, rows: list[tuple[str, str]]) -> pathlib.Path:
    path.write_text(
        "".join(json.dumps({"text": t, "label": y}, ensure_ascii=False) + "\n" for t, y in rows),
        encoding="utf-8",
    )
    return path


def test_train_then_eval_prints_the_agreed_json(tmp_path: pathlib.Path) -> None:
    data = write(tmp_path / "train.jsonl", ROWS)
    test = write(tmp_path / "test.jsonl", [("我想退款", "refund"), ("明天天气怎么样", "oos")])
    runner = CliRunner()
    out = tmp_path / "model"
    res = runner.invoke(app, ["train", "--task", "intent", "--data", str(data), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "weights.safetensors").is_file() and (out / "config.json").is_file()
    res = runner.invoke(
        app, ["eval", "--task", "intent", "--model", str(out), "--data", str(test), "--json"]
    )
    assert res.exit_code == 0, res.output
    result = json.loads(res.stdout.strip().splitlines()[-1])
    for key in (
        "n",
        "accuracy",
        "macro_f1",
        "in_scope_accuracy",
        "oos_recall",
        "oos_precision",
        "latency_ms_p50",
        "latency_ms_p99",
        "model_bytes",
    ):
        assert key in result
    assert result["n"] == 2 and result["model_bytes"] > 0


def test_bad_input_says_what_to_do(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "pairs.jsonl"
    bad.write_text('{"text_a": "a", "text_b": "b", "label": 1}\n', encoding="utf-8")
    res = CliRunner().invoke(
        app, ["train", "--task", "intent", "--data", str(bad), "--out", str(tmp_path / "m")]
    )
    assert res.exit_code == 2
    assert "text" in res.output and "label" in res.output
    res = CliRunner().invoke(
        app, ["train", "--task", "sentiment", "--data", str(bad), "--out", str(tmp_path / "m")]
    )
    assert res.exit_code == 2 and "intent" in res.output


def test_predict_shows_the_analysis() -> None:
    res = CliRunner().invoke(app, ["predict", "给我转人工，订单TD20261101000123", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["intent"] == "human"
    assert data["entities"][0]["kind"] == "order_id"


ACT_ROWS = [
    ("退货运费谁出", "question"),
    ("七天无理由怎么退", "question"),
    ("发什么快递", "question"),
    ("how do returns work", "question"),
    ("帮我取消这单", "request"),
    ("给我退钱", "request"),
    ("转人工", "request"),
    ("cancel it for me", "request"),
    ("发错货了", "complaint"),
    ("物流三天没动了", "complaint"),
    ("the box was crushed", "complaint"),
    ("你好", "chitchat"),
    ("谢谢", "chitchat"),
    ("thanks, bye", "chitchat"),
]


def test_cli_act_training_matches_the_shipped_recipe(tmp_path: pathlib.Path) -> None:
    """`tandem nlu train --task act` with no options trains what the build script ships: one
    default C for both (they once differed, 0.5 against 1.0)."""
    data = write(tmp_path / "acts.jsonl", ACT_ROWS)
    out = tmp_path / "act"
    res = CliRunner().invoke(
        app, ["train", "--task", "act", "--data", str(data), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    cli_model = TextClassifier.load(out)[0]
    built = train_task("act", read_jsonl(data), **SHIPPED_OPTIONS["act"])
    # The vocabulary cap (30,000) is far above this set's n-grams, so only C could differ.
    assert cli_model.vectorizer.vocab == built.classifier.vectorizer.vocab
    # Saved weights are float16: compare at that precision.
    assert np.allclose(cli_model.weights, built.classifier.weights, atol=2e-3)
    assert np.allclose(cli_model.bias, built.classifier.bias, atol=1e-5)
