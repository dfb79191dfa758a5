from tandem.understanding import mask_personal_data, normalize, to_simplified
from tandem.understanding.normalize import detect_language, fold


def test_traditional_becomes_simplified() -> None:
    assert (
        to_simplified("我的訂單還沒發貨，請問什麼時候寄出？")
        == "我的订单还没发货，请问什么时候寄出？"
    )


def test_fold_keeps_length_and_maps_width_and_case() -> None:
    text = "ＴＤ２０２６ＡＢ，退貨"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "td2026ab,退货"


def test_normalize_cuts_repeated_punctuation_and_emoji_modifiers() -> None:
    assert normalize("快點發貨！！！！！") == "快点发货!!"
    assert normalize("Great   job 👍🏻") == "great job 👍"
    assert normalize("怎么回事？？？？") == "怎么回事??"


def test_language_detection() -> None:
    assert detect_language("我要退货") == "zh"
    assert detect_language("where is my parcel") == "en"
    assert detect_language("我的iPhone坏了") == "zh"


def test_mask_phone_id_email_address() -> None:
    masked = mask_personal_data(
        "电话138 1234 5678，身份证110105199003071234，邮箱a.b@qq.com，"
        "寄到北京市朝阳区建国路88号5号楼1001，订单TD20261101000123"
    )
    assert "138" not in masked and "[PHONE]" in masked
    assert "110105199003071234" not in masked and "[ID]" in masked
    assert "a.b@qq.com" not in masked and "[EMAIL]" in masked
    assert "建国路" not in masked and "[ADDRESS]" in masked
    # Order numbers are not personal data: they must survive for the log to be useful.
    assert "TD20261101000123" in masked


def test_mask_full_width_phone_and_english_address() -> None:
    assert mask_personal_data("我的手机１３９１２３４５６７８") == "我的手机[PHONE]"
    masked = mask_personal_data("send it to 221 Baker Street, call +1 415 555 0100")
    assert "Baker" not in masked and "555" not in masked


def test_mask_leaves_plain_text_alone() -> None:
    assert mask_personal_data("这件衣服有M码吗") == "这件衣服有M码吗"


def test_links_and_forwarded_mentions_are_reduced_but_emails_kept() -> None:
    out = normalize("致敬//@Mr_凡先生:戴口罩 http://t.cn/A6PqoMKY 邮箱a.b@qq.com")
    assert out == "致敬 戴口罩 url 邮箱a.b@qq.com"
