"""train / eval / predict through the CLI, on a tiny data set written here."""

import json
import pathlib

from typer.testing import CliRunner

from tandem.understanding.cli import app

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
