"""Pure desk rules: masking abusive spans, colleague suggestions, canned replies."""

from __future__ import annotations

from tandem.desk import copilot, masking, personal

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


def test_another_customers_data_becomes_this_customers_or_a_placeholder() -> None:
    answer = (
        "田艳您好，您的订单 TD20261101000007 寄往浙江省杭州市西湖区文三路478号2幢301室，"
        "快递单号 SF1234567890123，有问题打 13812345678 或写信到 tian.yan@example.com。"
    )
    known = {"customer_name": ("田艳",), "order_id": ("TD20261101000007",)}
    # This customer's name and order are known; the rest stays visible for the agent.
    assert personal.safe_suggestion(
        answer, {"customer_name": "张三", "order_id": "TD20261120000001"}, known
    ) == (
        "张三您好，您的订单 TD20261120000001 寄往{address}，"
        "快递单号 {tracking_number}，有问题打 {phone} 或写信到 {email}。"
    )
    # Nothing known of this customer: the name is dropped, never the other one shown.
    shown = personal.safe_suggestion(answer, {}, known)
    assert shown.startswith("您好，您的订单 {order_id}")
    assert "田艳" not in shown and "13812345678" not in shown


def test_names_are_found_by_how_agents_address_people() -> None:
    assert personal.as_template("王先生，您好") == "{customer_name}，您好"
    assert personal.as_template("Dear Ms Li, thanks") == "Dear {customer_name}, thanks"
    # A way of addressing anyone is not a name.
    assert personal.as_template("亲爱的您好，请稍等") == "亲爱的您好，请稍等"


def test_sentences_claiming_an_action_nobody_took_are_left_out() -> None:
    text = "已帮您加急备注，仓库会优先处理。一般付款后48小时内发货。"
    assert personal.without_claims(text) == "一般付款后48小时内发货。"
    assert personal.without_claims("I've already refunded you. Refunds take 1-3 days.") == (
        "Refunds take 1-3 days."
    )
    assert personal.without_claims("我们已经为您取消了订单。") == ""
    # Saying how to do it is not claiming it was done.
    assert personal.without_claims("在订单页申请退款即可。") == "在订单页申请退款即可。"


def test_a_suggestion_with_nothing_left_is_not_offered() -> None:
    s = copilot.Suggestion("knowledge", "已帮您催促仓库尽快发货。", 0.9, "催发货", "kb1")
    assert copilot.shown(s, {}) is None
    past = copilot.Suggestion(
        "colleagues",
        "好的，马上看。",
        0.5,
        "我是田艳 电话13812345678",
        "c1",
        {"customer_name": ("田艳",)},
    )
    kept = copilot.shown(past, {})
    assert kept is not None and kept.question == "我是{customer_name} 电话{phone}"


def test_phones_and_id_numbers_are_found_as_the_logs_masking_finds_them() -> None:
    text = "打 １３８１２３４５６７８ 或 0571 88886666，身份证 110105199001011234"
    assert personal.as_template(text) == "打 {phone} 或 {phone}，身份证 {id_number}"
