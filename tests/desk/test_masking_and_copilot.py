"""Pure desk rules: masking abusive spans, colleague suggestions, canned replies."""

from __future__ import annotations

from tandem.desk import copilot, masking

TEXT = "你们这什么垃圾店铺，傻逼客服"
ANALYSIS = {
    "abuse": {
        "is_abusive": True,
        "kinds": ["insult"],
        "spans": [
            {"start": 5, "end": 9, "kind": "insult"},
            {"start": 10, "end": 12, "kind": "insult"},
        ],
    }
}


def test_only_the_offending_spans_are_masked_with_their_kind() -> None:
    pieces = masking.segments(TEXT, ANALYSIS)
    assert pieces is not None
    assert [p.get("text") for p in pieces if not p.get("masked")] == ["你们这什么", "，", "客服"]
    assert [(p["kind"], p["length"]) for p in pieces if p.get("masked")] == [
        ("insult", 4),
        ("insult", 2),
    ]
    assert masking.masked_text(pieces, "zh") == "你们这什么【辱骂】，【辱骂】客服"
    assert masking.masked_text(pieces, "en") == "你们这什么[insult]，[insult]客服"


def test_clean_messages_are_not_masked_and_spanless_abuse_is_hidden_whole() -> None:
    assert masking.segments("你好", {"abuse": {"is_abusive": False}}) is None
    assert masking.segments("你好", None) is None
    whole = masking.segments(
        "滚", {"abuse": {"is_abusive": True, "kinds": ["threat"], "spans": []}}
    )
    assert whole == [{"masked": True, "kind": "threat", "length": 1}]


def test_overlapping_and_out_of_range_spans_are_merged_and_clipped() -> None:
    analysis = {
        "abuse": {
            "is_abusive": True,
            "kinds": ["insult"],
            "spans": [
                {"start": 0, "end": 3, "kind": "insult"},
                {"start": 2, "end": 50, "kind": "profanity"},
            ],
        }
    }
    pieces = masking.segments("abcdef", analysis)
    assert pieces == [
        {"masked": True, "kind": "insult", "length": 3},
        {"masked": True, "kind": "profanity", "length": 3},
    ]


def test_colleague_suggestions_rank_similar_questions_and_drop_duplicates() -> None:
    past = [
        copilot.PastAnswer("c1", "衣服不合适怎么退货", "在订单页申请退货即可。"),
        copilot.PastAnswer("c2", "衣服不合适 怎么退货呀", "在订单页申请退货即可。"),
        copilot.PastAnswer("c3", "发票怎么开", "在订单详情里申请电子发票。"),
    ]
    found = copilot.colleague_suggestions("裤子不合适怎么退货", past)
    assert [s.text for s in found] == ["在订单页申请退货即可。"]
    assert found[0].source == "colleagues" and found[0].ref in ("c1", "c2")
    assert copilot.colleague_suggestions("今天天气", past) == []


def test_pairs_join_the_customers_run_to_the_agents_reply() -> None:
    pairs = copilot.pair_answers(
        [
            ("customer", "你好"),
            ("customer", "怎么退货"),
            ("agent", "申请退货即可"),
            ("agent", "还有吗"),
        ],
        "c1",
    )
    assert [(p.question, p.answer) for p in pairs] == [("你好 怎么退货", "申请退货即可")]


def test_canned_replies_fill_known_values_and_keep_unknown_ones_visible() -> None:
    replies = copilot.canned_replies(
        "zh", {"customer_name": "张三", "order_id": None, "agent_name": "小林"}
    )
    greet = next(r for r in replies if r["id"] == "greet")
    checking = next(r for r in replies if r["id"] == "checking")
    assert greet["text"].startswith("张三您好，我是小林")
    assert "{order_id}" in checking["text"]
    english = copilot.canned_replies("en", {"customer_name": "Ann"})
    assert next(r for r in english if r["id"] == "greet")["text"].startswith("Hello Ann")
