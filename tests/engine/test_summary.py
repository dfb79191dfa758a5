from tandem.engine.summary import SummaryParams, Turn, summarise

C, A, B = "customer", "agent", "bot"

REFUND = [
    Turn(C, "在吗"),
    Turn(B, "您好，很高兴为您服务，请问有什么可以帮您?"),
    Turn(C, "我买的耳机坏了，可以退货吗?"),
    Turn(B, "亲，耳机在签收后7天内可以申请退货，请您在订单页面提交售后申请哦"),
    Turn(C, "我已经提交了，审核不通过！太差了，我要投诉"),
    Turn(B, "非常抱歉给您带来不便"),
    Turn(C, "人工客服"),
]


def test_says_the_problem_and_what_the_ai_answered() -> None:
    text = summarise(REFUND)
    assert text.startswith("用户询问")
    assert "耳机坏了" in text
    assert "AI回答" in text and "7天内可以申请退货" in text
    # Second person becomes "the customer": the agent reads about the customer, not "you".
    assert "请用户在订单页面" in text


def test_leaves_out_greetings_boilerplate_and_the_request_for_a_person() -> None:
    text = summarise(REFUND)
    for noise in ("在吗", "很高兴为您服务", "抱歉", "人工客服"):
        assert noise not in text


def test_reads_a_strong_emotion_from_the_text() -> None:
    assert summarise(REFUND).endswith("情绪：愤怒。")
    calm = [Turn(C, "请问耳机可以退货吗?"), Turn(A, "签收后7天内可以申请退货")]
    assert "情绪" not in summarise(calm)


def test_facts_handed_in_come_first_and_last() -> None:
    text = summarise(
        REFUND,
        facts={
            "customer": "张三",
            "order_id": "TD20261121001",
            "emotion": "anxiety",
            "tried": "说明了7天退货规则",
        },
    )
    assert text.startswith("张三（订单TD20261121001）。")
    assert "AI已尝试：说明了7天退货规则。" in text
    # The caller's emotion wins over the one read from the text.
    assert text.endswith("情绪：焦急。")


def test_a_neutral_emotion_fact_says_nothing_about_mood() -> None:
    assert "情绪" not in summarise(REFUND, facts={"emotion": "neutral"})


def test_reads_the_order_number_from_the_text() -> None:
    turns = [Turn(C, "订单号：TD88887777，还没发货吗?"), Turn(B, "仓库预计明天发货")]
    text = summarise(turns)
    assert text.startswith("订单TD88887777。")
    assert "明天发货" in text


def test_never_longer_than_max_chars_and_keeps_the_facts() -> None:
    for limit in (30, 40, 60, 200):
        text = summarise(REFUND, max_chars=limit)
        assert len(text) <= limit
    short = summarise(REFUND, max_chars=40)
    assert short.endswith("情绪：愤怒。")
    assert short.startswith("用户询问")


def test_best_exchanges_are_told_in_dialogue_order() -> None:
    turns = [
        Turn(C, "发票可以开公司抬头吗?"),
        Turn(A, "可以的，请您在订单详情里申请换开发票"),
        Turn(C, "那退款多久到账?"),
        Turn(A, "退款会在[数字]个工作日内原路退回"),
    ]
    text = summarise(turns)
    assert text.index("发票") < text.index("退款")


def test_max_exchanges_bounds_the_summary() -> None:
    turns: list[Turn] = []
    for item in ("耳机", "手机", "电脑", "冰箱"):
        turns += [Turn(C, f"{item}什么时候发货?"), Turn(A, f"{item}预计明天从北京仓发货")]
    text = summarise(turns, params=SummaryParams(max_exchanges=2))
    assert text.count("用户询问") == 2


def test_a_repeated_message_is_summarised_once() -> None:
    turns = [
        Turn(C, "为什么还没发货?"),
        Turn(C, "为什么还没发货?"),
        Turn(A, "仓库预计明天发货"),
        Turn(C, "为什么还没发货?"),
    ]
    assert summarise(turns).count("还没发货") == 1


def test_human_agent_answers_are_labelled_as_the_agent() -> None:
    turns = [Turn(C, "这个冰箱可以送货上门吗?"), Turn(A, "可以的，京东物流会送货上门")]
    assert "客服回答" in summarise(turns)
    assert "AI回答" not in summarise(turns)


def test_english_conversation() -> None:
    turns = [
        Turn(C, "Hi"),
        Turn(B, "Hello! How can I help you today?"),
        Turn(C, "My parcel hasn't arrived, order TD123456. Where is it?"),
        Turn(B, "Your parcel left the warehouse yesterday and should arrive within 2 days."),
        Turn(C, "thanks"),
    ]
    text = summarise(turns, language="en", facts={"customer": "Ann Lee"})
    assert text.startswith("Ann Lee (order TD123456).")
    assert "Customer asked" in text and "parcel hasn't arrived" in text
    assert "The AI answered" in text and "within 2 days" in text
    assert "How can I help" not in text
    assert len(text) <= 200


def test_deterministic_and_empty_input() -> None:
    assert summarise(REFUND) == summarise(list(REFUND))
    assert summarise([]) == ""
    assert summarise([Turn(C, "好的"), Turn(A, "请问还有其他可以帮到您的吗?")]) == ""


def test_long_repetitive_messages_do_not_stall_the_engine() -> None:
    # Inputs that send nested-repetition regexes into exponential backtracking: if one comes
    # back, this test hangs until the suite's timeout instead of passing.
    nasty = [
        "好" + "，谢谢" * 2000 + "x",
        "？" * 5000 + "x",
        "嗯" * 5000 + "x",
        "可以" + "呢" * 5000,
        "order" + " " * 5000 + "x",
        "ok" + " thanks" * 2000 + " x",
    ]
    for text in nasty:
        for language in ("zh", "en"):
            out = summarise([Turn(C, text), Turn(A, "可以的，已经为您登记")], language=language)
            assert len(out) <= 200


def test_the_ais_own_queue_message_is_not_summarised_as_an_answer() -> None:
    turns = [
        Turn(C, "我的快递三天了还没到，怎么回事?"),
        Turn(B, "您的包裹已到达上海分拣中心，预计明天送达。"),
        Turn(C, "物流信息昨天也是这么说的，到底什么时候到?"),
        Turn(B, "好的，已为您转接人工客服，您现在排在第 2 位，预计等待约 3 分钟。"),
    ]
    text = summarise(turns)
    assert "上海分拣中心" in text
    assert "排在第" not in text and "转接" not in text


def test_the_hand_off_summary_masks_what_the_transcript_masks() -> None:
    from tandem.engine.memory import EngineMemory
    from tandem.engine.packet import build_packet

    text = "垃圾店铺，傻逼客服，我要退款"
    analysis = {
        "abuse": {
            "is_abusive": True,
            "kinds": ["insult"],
            "spans": [
                {"start": 0, "end": 4, "kind": "insult"},
                {"start": 5, "end": 9, "kind": "insult"},
            ],
        }
    }
    packet = build_packet(
        reason="abuse",
        language="zh",
        transcript=[("customer", text, analysis), ("bot", "非常抱歉给您带来不便")],
        decisions=[],
        memory=EngineMemory(),
        shop=None,
        customer_name=None,
        entities=[],
        proposal=None,
    )
    assert "傻逼" not in packet["summary"] and "垃圾店铺" not in packet["summary"]
