from tandem.understanding.entities import ProductMatcher, extract_entities


def kinds(text: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.text, e.value) for e in extract_entities(text)]


def test_offsets_point_into_original_text() -> None:
    text = "我的訂單ＴＤ２０２６１１０１０００１２３還沒到"
    (order,) = [e for e in extract_entities(text) if e.kind == "order_id"]
    assert text[order.start : order.end] == order.text == "ＴＤ２０２６１１０１０００１２３"
    assert order.value == "TD20261101000123"


def test_order_tracking_phone() -> None:
    found = kinds("订单TD20261101000123，快递单号SF1234567890123，电话138-1234-5678")
    assert ("order_id", "TD20261101000123", "TD20261101000123") in found
    assert ("tracking_no", "SF1234567890123", "SF1234567890123") in found
    assert ("phone", "138-1234-5678", "13812345678") in found


def test_plain_long_digits_are_an_order_id_but_a_mobile_is_a_phone() -> None:
    found = kinds("order 4938201938475621, call 13812345678")
    assert ("order_id", "4938201938475621", "4938201938475621") in found
    assert ("phone", "13812345678", "13812345678") in found


def test_amounts_and_dates() -> None:
    found = kinds("昨天花了199元，11月3日又付了¥1,299.00，2026-11-01下的单")
    assert ("amount", "199元", "199") in found
    assert ("amount", "¥1,299.00", "1299.00") in found
    assert ("date", "昨天", "yesterday") in found
    assert ("date", "11月3日", "11-03") in found
    assert ("date", "2026-11-01", "2026-11-01") in found


def test_english_date_and_amount() -> None:
    found = kinds("I paid $49.99 on Nov 3rd")
    assert ("amount", "$49.99", "49.99") in found
    assert ("date", "Nov 3rd", "11-03") in found


def test_products_respect_word_boundaries_and_phone_number_words() -> None:
    found = kinds("my phone broke, not the cupboard; 我的手机号13812345678")
    products = [t for k, t, _ in found if k == "product"]
    assert products == ["phone"]


def test_shop_catalogue_names() -> None:
    matcher = ProductMatcher(["星空投影灯", "Aurora Lamp"])
    found = extract_entities("星空投影燈和aurora lamp都坏了", matcher)
    assert [(e.kind, e.text) for e in found] == [
        ("product", "星空投影燈"),
        ("product", "aurora lamp"),
    ]


def test_invalid_dates_are_not_dates() -> None:
    assert not [e for e in extract_entities("13月45日") if e.kind == "date"]


def test_words_built_on_bao_name_no_bag() -> None:
    # 包装 (packaging), 包邮 (free shipping), 红包 (a cash gift) are not bags; 包 alone and
    # 双肩包 are.
    def products(text: str) -> list[str]:
        return [e.value for e in extract_entities(text) if e.kind == "product"]

    assert products("耳机包装里有充电头吗") == ["耳机", "充电器"]
    assert products("包邮吗") == []
    assert products("红包怎么用") == []
    assert products("这个包是真皮的吗") == ["包"]
    assert products("双肩包防水吗") == ["背包"]


def test_a_mention_is_valued_by_its_kind_whatever_the_word() -> None:
    def products(text: str) -> list[str]:
        return [e.value for e in extract_entities(text) if e.kind == "product"]

    # Shoppers' words for one kind of product, Chinese and English, are one value.
    assert products("这个音响能连两台手机吗") == ["音箱", "手机"]
    assert products("蓝牙音箱没声音") == ["音箱"]
    assert products("my new speakers crackle") == ["音箱"]
    assert products("耳塞和头戴耳机哪个好") == ["耳机", "耳机"]
    assert products("移动电源能带上飞机吗") == ["充电宝"]
    # A word inside another is not a mention of it: 指示灯 is no lamp, 奶茶 no tea.
    assert products("指示灯一直闪") == []


def test_a_catalogue_name_takes_the_kind_of_the_word_it_holds() -> None:
    matcher = ProductMatcher(["主动降噪无线耳机", "星空投影灯"])
    found = extract_entities("主动降噪无线耳机和星空投影灯", matcher)
    # The earbuds are earbuds; a name holding no known word is its own kind.
    assert [e.value for e in found] == ["耳机", "星空投影灯"]
