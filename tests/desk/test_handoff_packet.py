"""The hand-off packet states what the customer said, how they actually feel and what the AI
did: built directly (pure) and through real conversations on the API."""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import httpx
import pytest

from tandem.engine import packet as packet_module
from tandem.engine.memory import EngineMemory
from tandem.engine.packet import build_packet, problem_intent, shown_emotion
from tests.conftest import signed_customer


def _packet(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "reason": "customer_request",
        "language": "zh",
        "transcript": [("customer", "我要退款"), ("bot", "请问是哪一笔订单？")],
        "decisions": [],
        "memory": EngineMemory(),
        "shop": None,
        "customer_name": "沈磊",
        "entities": [],
        "proposal": None,
    }
    args.update(overrides)
    return build_packet(**args)


# --- the problem ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decisions", "memory_intents", "expected"),
    [
        # Refund asked, order tapped (the label read as "urge shipping"), then a person asked.
        (
            [
                ("pick_order", "refund"),
                ("confirm_action", "refund"),
                ("explicit_human_request", "human"),
            ],
            [("refund", 0.99), ("urge_shipping", 0.6), ("human", 1.0)],
            "退款",
        ),
        # A return, then thanks: small talk is not the problem.
        ([("confirm_action", "return"), ("thanks", "thanks")], [("return", 0.9)], "退货"),
        # No decision carries a problem: the understanding's latest reading is used.
        (
            [("explicit_human_request", "human")],
            [("where_is_parcel", 0.8), ("human", 1.0)],
            "查物流",
        ),
    ],
)
def test_problem_is_the_engines_reading_not_a_tapped_label(
    decisions: list[tuple[str, str]], memory_intents: list[tuple[str, float]], expected: str
) -> None:
    p = _packet(
        decisions=[{"rule": r, "intent": i} for r, i in decisions],
        memory=EngineMemory(intents=tuple(memory_intents)),
    )
    assert p["problem"]["text"] == expected
    assert f"问题：{expected}" in p["summary"]


def test_tapped_label_is_not_quoted_as_the_question() -> None:
    p = _packet(
        transcript=[
            ("customer", "我要退款"),
            ("bot", "请问是哪一笔订单？"),
            ("customer", "香薰加湿器 · ¥159 · 待发货", {"tapped": True}),
            ("bot", "确认要为订单「香薰加湿器」申请退款吗？"),
        ],
        decisions=[{"rule": "pick_order", "intent": "refund"}],
    )
    assert "¥159" not in p["summary"]
    assert "要退款" in p["summary"]


def test_no_problem_when_only_small_talk() -> None:
    assert problem_intent([{"rule": "greeting", "intent": "greeting"}], EngineMemory()) is None
    assert "问题" not in _packet(decisions=[{"rule": "greeting", "intent": "greeting"}])["summary"]


# --- the emotion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("emotions", "expected"),
    [
        ((("neutral", 0.0), ("anger", 0.459)), ("neutral", 0.0)),  # a weak guess: calm
        ((("anger", 0.8), ("neutral", 0.0)), ("anger", 0.8)),  # angry a moment ago: still angry
        ((("anger", 0.9), ("neutral", 0.0), ("neutral", 0.0), ("neutral", 0.0)), ("neutral", 0.0)),
        ((("anxiety", 0.55), ("anger", 0.3)), ("anxiety", 0.55)),
        ((), ("neutral", 0.0)),
    ],
)
def test_shown_emotion(
    emotions: tuple[tuple[str, float], ...], expected: tuple[str, float]
) -> None:
    assert shown_emotion(emotions) == expected


def test_calm_customer_is_not_called_angry_in_the_summary() -> None:
    p = _packet(memory=EngineMemory(emotions=(("neutral", 0.0), ("anger", 0.46))))
    assert p["emotion"]["label"] == "neutral" and p["emotion"]["text"] == "平静"
    assert "愤怒" not in p["summary"]
    angry = _packet(memory=EngineMemory(emotions=(("anger", 0.82),)))
    assert angry["emotion"]["text"] == "愤怒" and "情绪：愤怒" in angry["summary"]


# --- what the AI did -----------------------------------------------------------------------


def test_refund_proposal_is_listed() -> None:
    p = _packet(
        reason="needs_approval",
        decisions=[{"rule": "ai_proposes", "intent": "refund"}],
        proposal={"order_id": "TD1", "action": "refund", "amount_cents": 189900},
    )
    assert p["tried"] == "按店铺规则核对了退款；提出了退款 ¥1899方案（订单 TD1），待人工审批"
    en = _packet(
        language="en",
        reason="needs_approval",
        decisions=[{"rule": "ai_proposes", "intent": "refund"}],
        proposal={"order_id": "TD1", "action": "refund", "amount_cents": 189900},
    )
    assert (
        en["tried"]
        == "checked the refund against the policy; proposed a refund ¥1899 (order TD1) for approval"
    )


def test_nothing_done_says_so() -> None:
    p = _packet(decisions=[{"rule": "explicit_human_request", "intent": "human"}])
    assert p["tried"] == "无"


def _engine_rule_names() -> set[str]:
    """Every literal rule name the engine's rules decide with (turn.decision's second argument,
    hand_off's reason and rule=, `rule = "..."`)."""
    names: set[str] = set()

    def strings(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return strings(node.body) + strings(node.orelse)
        return []

    rules_dir = pathlib.Path(packet_module.__file__).parent / "rules"
    for path in rules_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if fname in ("decision", "hand_off") and len(node.args) >= 2:
                    names.update(strings(node.args[1]))
                for kw in node.keywords:
                    if kw.arg == "rule":
                        names.update(strings(kw.value))
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "rule" for t in node.targets
            ):
                names.update(strings(node.value))
    return names


def test_every_engine_rule_is_either_reported_or_known_silent() -> None:
    names = _engine_rule_names()
    assert "ai_proposes" in names and "pick_order" in names  # the walk finds the rules
    missing = names - set(packet_module.TRIED) - packet_module.SILENT_RULES
    assert not missing, f"rules with no words for 'AI 已做': {sorted(missing)}"


# --- through the API -----------------------------------------------------------------------

FLOWS = [
    # (situation, what the customer says or taps, expected problem, expected words in tried)
    ("several_orders", ["我要退款", "TAP:order:", "转人工"], "退款", "请顾客选择订单"),
    ("several_orders", ["我想申请退款", "TAP:order:", "人工客服"], "退款", "核对了退款"),
    ("several_orders", ["我的快递到哪了", "TAP:order:", "转人工"], "查物流", "请顾客选择订单"),
    ("high_value", ["我要退款"], "退款", "提出了退款 ¥1899方案"),
    ("delivered_recent", ["衣服不合适想退货", "人工客服"], "退货", "核对了退货"),
]


@pytest.mark.asyncio
async def test_packets_of_real_conversations(server: Any) -> None:
    agent = httpx.AsyncClient(base_url=server.url, timeout=30)
    lead = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        await agent.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        await agent.put("/api/v1/desk/presence", json={"presence": "online"})
        await lead.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
        for situation, says, problem, tried in FLOWS:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as customer:
                cid, headers = await signed_customer(server, customer, situation)
                replies: list[dict[str, Any]] = []
                labels: list[str] = []
                for said in says:
                    if said.startswith("TAP:"):
                        options = [q for r in replies for q in (r.get("quick_replies") or [])]
                        chosen = next(
                            (q for q in options if q["payload"].startswith(said[4:])), None
                        )
                        assert chosen is not None, (situation, says, replies)
                        message = {"text": chosen["label"], "payload": chosen["payload"]}
                        labels.append(chosen["label"])
                    else:
                        message = {"text": said}
                    r = await customer.post(
                        f"/api/v1/conversations/{cid}/messages", json=message, headers=headers
                    )
                    assert r.status_code == 201, r.text
                    replies = r.json()["replies"]
            detail = (await lead.get(f"/api/v1/desk/conversations/{cid}")).json()
            p = detail["conversation"]["handoff_packet"]
            assert p is not None, (situation, says)
            assert p["problem"]["text"] == problem, (situation, says, p["summary"])
            assert tried in p["tried"], (situation, says, p["tried"])
            assert p["emotion"]["label"] == "neutral", (situation, says, p["emotions"])
            assert "愤怒" not in p["summary"]
            # A tapped order's label is not quoted as what the customer asked.
            for label in labels:
                assert label not in p["summary"], (situation, p["summary"])
    finally:
        await agent.aclose()
        await lead.aclose()
