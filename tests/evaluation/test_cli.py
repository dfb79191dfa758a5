import json
import pathlib

from typer.testing import CliRunner

from tandem.evaluation.cli import app
from tandem.evaluation.csds import read_csds

runner = CliRunner()

DIALOGUES = [
    {
        "id": "d-1",
        "dialogue": [
            {"speaker": "用户", "text": "在吗"},
            {"speaker": "客服", "text": "您好，请问有什么可以帮您?"},
            {"speaker": "用户", "text": "我的保价什么时候退款?"},
            {"speaker": "客服", "text": "价保金额[数字]小时内退到您的余额"},
            {"speaker": "用户", "text": "好的谢谢"},
        ],
        "summary": "用户询问保价什么时候退款。客服回答[数字]小时内退到余额。",
    },
    {
        "id": "d-2",
        "dialogue": [
            {"speaker": "商家", "text": "这个订单包装破损，客户要求补发可以吗?"},
            {"speaker": "客服", "text": "可以的，已经为您登记补发"},
        ],
        "summary": "商家询问包装破损能否补发。客服回答可以补发。",
    },
]


def _write(tmp_path: pathlib.Path, rows: list[dict[str, object]]) -> pathlib.Path:
    path = tmp_path / "dialogues.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_json_scores_and_out_file(tmp_path: pathlib.Path) -> None:
    data = _write(tmp_path, DIALOGUES)
    out = tmp_path / "summaries.jsonl"
    result = runner.invoke(app, ["summary", "--data", str(data), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(payload) == {"rouge1", "rouge2", "rougeL", "n"}
    assert payload["n"] == 2
    # Both summaries say the customer's question and the answer: well above chance.
    assert 0.4 < payload["rougeL"] <= 1.0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["d-1", "d-2"]
    assert "退款" in lines[0]["summary"]
    assert "补发" in lines[1]["summary"]


def test_limit_scores_only_the_first_dialogues(tmp_path: pathlib.Path) -> None:
    data = _write(tmp_path, DIALOGUES)
    result = runner.invoke(app, ["summary", "--data", str(data), "--json", "--limit", "1"])
    assert json.loads(result.stdout.strip().splitlines()[-1])["n"] == 1


def test_missing_file_says_what_to_do(tmp_path: pathlib.Path) -> None:
    result = runner.invoke(app, ["summary", "--data", str(tmp_path / "nope.jsonl"), "--json"])
    assert result.exit_code == 2
    assert "--data" in result.output


def test_malformed_line_is_reported_with_its_line_number(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(DIALOGUES[0], ensure_ascii=False) + '\n{"id": "x"}\n')
    result = runner.invoke(app, ["summary", "--data", str(path), "--json"])
    assert result.exit_code == 2
    assert "bad.jsonl:2" in result.output.replace("\n", "")  # the console wraps long paths


def test_speakers_map_to_roles(tmp_path: pathlib.Path) -> None:
    dialogues = read_csds(_write(tmp_path, DIALOGUES))
    assert [t.role for t in dialogues[1].turns] == ["customer", "agent"]
    assert dialogues[0].summary.startswith("用户询问")
