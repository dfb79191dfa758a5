"""The dialogue act: the weak labels' rules (pure) and the shipped head on sentences written
for this test (none is in the act data or the shopper sets)."""

import pytest

from tandem.understanding import load_understanding
from tandem.understanding.demo_data import weak_act


def test_a_polite_ask_to_ship_now_is_a_request() -> None:
    assert weak_act("明早能发出去吗", "urge_shipping") == "request"
    assert weak_act("可以先把我的发了吗", "urge_shipping") == "request"


def test_asking_when_it_ships_stays_a_question() -> None:
    assert weak_act("一般多久能发货", "urge_shipping") == "question"
    assert weak_act("什么时候能发出呢", "urge_shipping") == "question"


def test_a_stated_delay_is_a_complaint() -> None:
    assert weak_act("等了五天了还没发", "urge_shipping") == "complaint"
    assert weak_act("物流信息好几天没更新", "where_is_parcel") == "complaint"
    assert weak_act("still nothing after a week", "where_is_parcel") == "complaint"


def test_hao_ji_tian_is_a_span_of_days_not_a_question() -> None:
    # "好几天" / "几天了" count days; only a bare "几天" asks how many.
    assert weak_act("好几天了", "order_status") is None
    assert weak_act("几天能到", "order_status") == "question"


def test_asking_when_people_work_is_a_question_asking_for_one_a_request() -> None:
    assert weak_act("人工客服节假日在吗", "human") == "question"
    assert weak_act("what hours is support open", "human") == "question"
    assert weak_act("如何联系真人客服", "human") == "question"
    assert weak_act("能不能给我接个人工", "human") == "request"
    assert weak_act("let me speak to an agent", "human") == "request"


@pytest.fixture(scope="module")
def understanding():  # type: ignore[no-untyped-def]
    return load_understanding()


@pytest.mark.parametrize(
    "text",
    [
        "退货的快递费需要我自己垫付吗",
        "拆了吊牌还支持七天退吗",
        "how many days do i have to send it back?",
    ],
)
def test_unseen_rule_questions_are_questions(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    assert understanding.analyze(text).act == "question"


@pytest.mark.parametrize(
    "text",
    ["麻烦这单帮我退掉", "能不能帮我把收件人改成李明", "could you cancel order 55120 for me?"],
)
def test_unseen_requests_are_requests(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    assert understanding.analyze(text).act == "request"


@pytest.mark.parametrize("text", ["裤子拉链第一天就坏了", "the mug arrived in pieces"])
def test_unseen_grievances_are_complaints(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    assert understanding.analyze(text).act == "complaint"


@pytest.mark.parametrize(
    "text",
    ["吸尘器吸力突然变小了 这是怎么回事", "my speaker keeps cutting out, is it faulty?"],
)
def test_a_problem_with_a_real_ask_is_a_question(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    assert understanding.analyze(text).act == "question"


@pytest.mark.parametrize(
    "text", ["吸尘器用了两天吸力就不行了", "the speaker cuts out every few minutes"]
)
def test_the_same_problem_stated_is_a_complaint(understanding, text: str) -> None:  # type: ignore[no-untyped-def]
    assert understanding.analyze(text).act == "complaint"


def test_can_i_asks_whether_can_you_asks_the_shop(understanding) -> None:  # type: ignore[no-untyped-def]
    assert understanding.analyze("发货以后还能换收货人吗").act == "question"
    assert understanding.analyze("能帮我把收货人换成我妈吗").act == "request"
