"""Builds the fact guard's evaluation set (tests/llm/fixtures/guard_cases.jsonl).

Each base is a reply the engine could send (its template text and the facts it selected),
with a faithful rewording and a translation written by hand; the wrong versions are made from
the faithful one by one change each — a number, a date, an id, a product, an added promise,
an added hand-over, a refusal, the other language. The added sentences were written apart
from the guard's patterns, but by the same person: treat the figures as an upper bound.

    .venv/bin/python -m bench.llm_guard_cases --out tests/llm/fixtures/guard_cases.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

PRODUCTS = [
    "星耀 X5 智能手机 256G", "主动降噪无线耳机", "智能手表 运动版", "蓝牙音箱 便携款",
    "20W 快充充电头", "硅胶手机壳", "无线鼠标", "笔记本电脑支架", "布洛芬缓释胶囊 24 粒",
    "Noise-cancelling wireless earbuds", "Smartwatch, sport edition", "Portable Bluetooth speaker",
    "Wireless mouse", "Laptop stand", "Silicone phone case",
]  # fmt: skip

# (language, template, facts, faithful rewording, translation, product in it or None)
BASES: list[tuple[str, str, list[str], str, str, str | None]] = [
    ("zh", "订单「蓝牙音箱 便携款」由顺丰速运配送，运单号 SF9764803937876。最新进度（12-01 08:48）：【广州市】快递员正在派件。预计 12-03 06:48 前送达。",
     ["TD20261187 · 已发货 · 蓝牙音箱 便携款 · ¥399"],
     "您的「蓝牙音箱 便携款」走的是顺丰速运，运单号 SF9764803937876，12-01 08:48 广州的快递员已经在派件了，预计 12-03 06:48 前就能送到。",
     "Your Portable Bluetooth speaker is with SF Express, tracking SF9764803937876; at 12-01 08:48 a courier in Guangzhou was out delivering, expected by 12-03 06:48.",
     "蓝牙音箱 便携款"),
    ("zh", "可以开。本店提供电子发票（电子普通发票），订单确认收货后在订单页点“申请开票”，填写抬头和税号即可，一般 24 小时内开出，可在订单页下载。",
     [], "可以的，我们开的是电子普通发票：确认收货后在订单页点“申请开票”，填好抬头和税号，通常 24 小时内就能开好，在订单页就能下载。",
     "Yes. We issue electronic invoices: after confirming receipt, tap \"申请开票\" on the order page, fill in the title and tax number, and it is usually ready within 24 hours to download.", None),
    ("zh", "我们默认使用顺丰速运和圆通速递两家快递，系统会按收货地址自动选择更快的一家。需要指定顺丰的话，请在下单备注里写明，我们尽量安排。",
     [], "我们平时发顺丰速运和圆通速递，系统会根据您的地址选更快的那家；想指定顺丰的话，下单时在备注里写上，我们尽量帮您安排。",
     "We ship with SF Express or YTO by default and the system picks the faster one for your address; for SF, say so in the order note and we will try.", None),
    ("zh", "订单 TD20261042 还没有发货，已为您提交退款申请，¥59 将在 1-3 个工作日内原路退回。",
     ["TD20261042 · 待发货 · 20W 快充充电头 · ¥59"],
     "您的订单 TD20261042 还没发货，退款申请已经帮您提交了，¥59 会在 1-3 个工作日内原路退回。",
     "Order TD20261042 has not shipped yet; I have filed the refund request and ¥59 will go back to your original payment method within 1-3 working days.",
     "20W 快充充电头"),
    ("zh", "签收后 7 天内、商品不影响二次销售的，可以无理由退货，退货运费由您承担。",
     [], "签收 7 天内，只要商品不影响二次销售，都可以无理由退货，退货的运费需要您这边承担哦。",
     "Within 7 days of delivery, items that can still be resold can be returned without a reason; the return postage is yours to pay.", None),
    ("zh", "质量问题退货需要您先上传商品问题的照片或视频，收到后我们会在 48 小时内审核。",
     [], "质量问题退货的话，麻烦您先上传一下问题的照片或视频，我们收到后 48 小时内完成审核。",
     "For a quality return, please upload a photo or video of the problem first; we review it within 48 hours of receiving it.", None),
    ("zh", "您的订单 TD20260933 已签收（11-28 15:20），如有问题可以申请售后。",
     ["TD20260933 · 已签收 · 智能手表 运动版 · ¥1299"],
     "订单 TD20260933 在 11-28 15:20 已经签收啦，有任何问题都可以申请售后。",
     "Order TD20260933 was signed for at 11-28 15:20; if anything is wrong you can open an after-sales request.", "智能手表 运动版"),
    ("zh", "好的，已为您转接人工客服，您现在排在第 2 位，预计等待约 3 分钟。客服接入后能看到我们之前的全部对话，您不用再重复说明。",
     [], "好的，已经帮您转人工客服了，您目前排第 2 位，大概等 3 分钟；客服接入后能看到前面的对话，不用再重复说明。",
     "Sure, I've passed you to a human agent: you are number 2 in the queue, about 3 minutes; the agent will see our conversation so you won't repeat anything.", None),
    ("zh", "您已在人工客服队列中，目前排第 4 位，预计还需约 6 分钟，请稍候。",
     [], "您还在人工客服的队列里，现在是第 4 位，大约还要 6 分钟，请稍等一下。",
     "You're in the queue for a human agent: number 4, about 6 minutes to go.", None),
    ("zh", "现在暂时没有客服在线，客服会在 12月2日 09:00 前回复您；等待期间我也可以继续帮您查询。",
     [], "现在客服都不在线，最晚 12月2日 09:00 前会有客服回复您，这期间有问题我也可以继续帮您查。",
     "No agent is online right now; one will reply by 09:00 on December 2, and meanwhile I can keep helping.", None),
    ("zh", "订单 TD20261203 的收货地址可以修改，请把新的地址发给我，发货前都能改。",
     ["TD20261203 · 待发货 · 硅胶手机壳 · ¥39"],
     "订单 TD20261203 还没发货，地址可以改，把新地址发给我就行。",
     "Order TD20261203 can still have its address changed before it ships: send me the new address.", "硅胶手机壳"),
    ("zh", "已为您催促仓库，订单 TD20261150 承诺 12月2日 前发货，发货后会短信通知您。",
     ["TD20261150 · 待发货 · 无线鼠标 · ¥79 · 承诺发货 12月2日"],
     "仓库那边已经帮您催了，订单 TD20261150 承诺 12月2日 前发出，发货后会有短信通知。",
     "I've chased the warehouse: order TD20261150 is promised to ship by December 2 and you'll get a text when it does.", "无线鼠标"),
    ("zh", "这笔订单 ¥4999 超过了自动退款的额度，我已把退款方案交给客服审批，审批后会第一时间通知您。",
     ["TD20260871 · 已发货 · 星耀 X5 智能手机 256G · ¥4999"],
     "这笔 ¥4999 的订单超过了自动退款额度，退款方案已经交给客服审批，审批完会第一时间告诉您。",
     "This ¥4999 order is above the automatic refund limit, so I've sent the refund proposal to an agent for approval; you'll hear first thing once it is decided.", "星耀 X5 智能手机 256G"),
    ("zh", "抱歉让您久等了。订单 TD20261011 已于 11月29日 发出，物流显示正在运输中。",
     ["TD20261011 · 已发货 · 笔记本电脑支架 · ¥129"],
     "让您久等了，真不好意思。订单 TD20261011 在 11月29日 已经发出，目前物流显示还在运输中。",
     "Sorry for the wait. Order TD20261011 left us on November 29 and is in transit.", "笔记本电脑支架"),
    ("zh", "生鲜商品签收后 48 小时内发现腐坏，拍照上传即可申请退款。",
     [], "生鲜签收 48 小时内发现变质的，拍张照片上传就能申请退款。",
     "If fresh food turns out spoiled within 48 hours of delivery, upload a photo to request a refund.", None),
    ("zh", "药品属于特殊商品，拆封后不支持无理由退货；未拆封的可以在签收 7 天内申请。",
     ["TD20261077 · 已签收 · 布洛芬缓释胶囊 24 粒 · ¥26"],
     "药品比较特殊，拆封后就不能无理由退了；没拆封的话签收 7 天内都可以申请。",
     "Medicines are special goods: once opened they cannot be returned without a reason; unopened ones can be within 7 days of delivery.", None),
    ("zh", "您的退款 ¥129 已于 11月30日 原路退回，一般 1-3 个工作日到账。",
     ["TD20260990 · 已退款 · 笔记本电脑支架 · ¥129"],
     "¥129 的退款在 11月30日 已经原路退回了，通常 1-3 个工作日到账。",
     "Your ¥129 refund went back to the original payment method on November 30 and usually arrives within 1-3 working days.", None),
    ("zh", "您好，我是店铺的智能客服，订单、物流、退换货都可以问我。需要真人客服时，随时说“人工”即可。",
     [], "您好呀，我是店里的智能客服，订单、物流、退换货的问题都可以问我；想找真人客服的话随时说“人工”就行。",
     "Hello! I'm the shop's AI assistant: ask me about orders, delivery and returns, and say \"human\" any time for a person.", None),
    ("zh", "不客气，还有其他问题随时找我。",
     [], "不用客气，有别的问题随时来找我。", "You're welcome, come back any time.", None),
    ("zh", "为了帮您处理，请问是哪一笔订单？可以点下面的订单，或者把订单号发给我。",
     [], "想帮您看一下，请问是哪笔订单呢？点下面的订单或者发订单号给我都可以。",
     "To help, which order is it? Tap one below or send me the order number.", None),
    ("zh", "换货需要商品未使用、包装完好，签收 15 天内可以申请，换货运费由店铺承担。",
     [], "签收 15 天内、商品没用过且包装完好的，都可以申请换货，运费由店铺来承担。",
     "Exchanges within 15 days of delivery for unused items in their packaging; the shop pays the postage.", None),
    ("zh", "您的订单 TD20261222 还未付款，30 分钟内未付款将自动取消。",
     ["TD20261222 · 待付款 · 主动降噪无线耳机 · ¥1899"],
     "订单 TD20261222 还没有付款，30 分钟内不付款会自动取消哦。",
     "Order TD20261222 is unpaid and will be cancelled automatically if not paid within 30 minutes.", "主动降噪无线耳机"),
    ("en", "Your order TD20261187 (Portable Bluetooth speaker) is with SF Express, tracking SF9764803937876. Latest: 12-01 08:48, out for delivery in Guangzhou. Expected by 12-03 06:48.",
     ["TD20261187 · shipped · Portable Bluetooth speaker · ¥399"],
     "Good news: your Portable Bluetooth speaker (order TD20261187) is out for delivery in Guangzhou since 12-01 08:48 with SF Express, tracking SF9764803937876, and should arrive by 12-03 06:48.",
     "您的订单 TD20261187（Portable Bluetooth speaker）由顺丰配送，运单号 SF9764803937876，12-01 08:48 正在派件，预计 12-03 06:48 前送达。",
     "Portable Bluetooth speaker"),
    ("en", "Yes. We issue electronic invoices: after you confirm receipt, open the order page, choose \"Request invoice\" and fill in the title and tax number. It is usually ready within 24 hours.",
     [], "Sure! Once you've confirmed receipt, go to the order page, pick \"Request invoice\", add the title and tax number, and it's normally ready within 24 hours.",
     "可以，确认收货后在订单页选择“申请开票”，填写抬头和税号，一般 24 小时内开好。", None),
    ("en", "Order TD20261042 has not shipped yet, so I have filed a refund request: ¥59 will go back to your original payment method within 1-3 working days.",
     ["TD20261042 · awaiting shipment · 20 W fast charger · ¥59"],
     "Since order TD20261042 hasn't shipped, I've filed the refund request; the ¥59 goes back to your original payment method within 1-3 working days.",
     "订单 TD20261042 还没发货，已为您提交退款申请，¥59 会在 1-3 个工作日内原路退回。", None),
    ("en", "Items can be returned without a reason within 7 days of delivery if they can still be resold; the return postage is paid by you.",
     [], "You can return an item for any reason within 7 days of delivery as long as it can still be resold; you pay the return postage.",
     "签收 7 天内、不影响二次销售的商品可以无理由退货，退货运费由您承担。", None),
    ("en", "Sure, I've passed you to a human agent. You are number 3 in the queue; the estimated wait is about 5 minutes.",
     [], "Of course, I've passed you to a human agent: you're number 3 in line, roughly a 5 minute wait.",
     "好的，已为您转接人工客服，您排在第 3 位，预计等待约 5 分钟。", None),
    ("en", "Nobody is online right now; an agent will reply by 09:00 on Dec 2. Meanwhile I can keep helping if you like.",
     [], "There's no agent online at the moment, but one will get back to you by 09:00 on Dec 2; until then I'm happy to keep helping.",
     "现在没有客服在线，客服会在 12月2日 09:00 前回复您，期间我可以继续帮您。", None),
    ("en", "Order TD20261150 is promised to ship by Dec 2; I've asked the warehouse to hurry and you will get a text when it ships.",
     ["TD20261150 · awaiting shipment · Wireless mouse · ¥79 · ship by Dec 02"],
     "I've asked the warehouse to hurry: order TD20261150 is due to ship by Dec 2, and a text will tell you when it does.",
     "已为您催促仓库，订单 TD20261150 承诺 12月2日 前发货，发货后短信通知您。", "Wireless mouse"),
    ("en", "This ¥4999 order is above the automatic refund limit, so the refund proposal is with an agent for approval.",
     ["TD20260871 · shipped · Xingyao X5 smartphone 256 GB · ¥4999"],
     "Because the order is ¥4999, above the automatic refund limit, an agent needs to approve the refund proposal.",
     "这笔 ¥4999 的订单超过自动退款额度，退款方案已交客服审批。", None),
    ("en", "Fresh food that turns out spoiled within 48 hours of delivery can be refunded: upload a photo to apply.",
     [], "If fresh food is spoiled within 48 hours of delivery, just upload a photo and apply for a refund.",
     "生鲜签收 48 小时内发现腐坏，上传照片即可申请退款。", None),
    ("en", "Which order is it about? Tap one below or send me the order number.",
     [], "Which order do you mean? You can tap one below or type its number.", "是哪一笔订单？点下面的订单或者发订单号给我。", None),
]  # fmt: skip

PROMISES = {
    "zh": ["另外送您一张 20 元无门槛券作为补偿。", "我们承诺明天一定送到。", "这次运费我们全包，不收您一分钱。",
           "我会让仓库今天就给您重新寄一件新的。", "放心，我们会给您全额退款。", "稍后给您账户返 100 积分。",
           "保证不会再出现这种情况。", "今晚之前就能处理好。", "我们再额外赠送一个手机壳给您。", "退款马上就到账。"],
    "en": ["We'll also add a 20 yuan voucher to make up for it.", "I promise it will arrive tomorrow.",
           "Shipping is on us this time, free of charge.", "I'll have the warehouse send you a new one today.",
           "Don't worry, you'll get a full refund.", "We'll credit 100 points to your account.",
           "This will definitely not happen again.", "It'll be sorted out tonight.",
           "We'll throw in a free phone case as well.", "The refund will reach you right away."],
}  # fmt: skip
TRANSFERS = {
    "zh": ["我已经帮您转给人工同事了。", "这边已为您接入人工客服。", "现在就为您转人工，请稍等。", "已将您的问题转交给主管处理。", "人工客服已经接手您的问题。"],
    "en": ["I have transferred you to a human agent.", "I'm connecting you with a colleague now.", "I've escalated this to our supervisor.", "An agent has taken over your case.", "I've handed you over to our support team."],
}  # fmt: skip
REFUSALS = {
    "zh": ["抱歉，这个我没法帮您处理。", "这个问题我无法回答，请您自行联系快递公司。", "作为一个AI，我不能提供这类信息。", "这不在我的职责范围内。"],
    "en": ["Sorry, I can't help with that.", "I'm unable to assist with this request, please contact the courier yourself.", "As an AI, I cannot provide that.", "That's not my job, I'm afraid."],
}  # fmt: skip

# Written after the first measurement and before the guard was changed in its light, so
# these measure wordings the guard was not tuned on (`"heldout": true` in the file).
HELD_OUT = {
    "promise": {
        "zh": ["这单给您免单。", "回头给您发个红包补偿一下。", "周末前肯定能到您手上。", "差价我们会退给您。", "下次购物给您打八折。"],
        "en": ["We'll waive the delivery fee for you.", "You'll get a gift card for the trouble.", "It's guaranteed to reach you by the weekend.", "We will refund the price difference.", "Next time you get 20 percent off."],
    },
    "transfer": {
        "zh": ["已经给您安排了专属客服跟进。", "马上让人工同事来接待您。", "我把您转到售后专员那里了。"],
        "en": ["A specialist has been assigned to you.", "I've put you through to a live agent.", "You're now being transferred to customer care."],
    },
    "refusal": {
        "zh": ["这个我帮不了您。", "请您直接去问快递公司。"],
        "en": ["I can't do anything about this.", "You'll have to ask the courier yourself."],
    },
}  # fmt: skip

_DATE = re.compile(r"(\d{1,2})(月|-)(\d{1,2})(日)?|(Dec|Nov|December|November) (\d{1,2})")
_ID = re.compile(r"\b(TD\d{8}|SF\d{13})\b")
_NUM = re.compile(r"(?<![\dA-Z:-])(\d+)(?![\d:-])")


def _wrong_number(text: str) -> str | None:
    for m in _NUM.finditer(text):
        if _ID.search(text[max(0, m.start() - 3) : m.end() + 1]):
            continue
        n = int(m.group(1))
        return text[: m.start()] + str(n + 1 if n != 9 else 8) + text[m.end() :]
    return None


def _wrong_date(text: str) -> str | None:
    m = _DATE.search(text)
    if m is None:
        return None
    if m.group(5):
        return text[: m.start(6)] + str(int(m.group(6)) % 28 + 1) + text[m.end(6) :]
    return text[: m.start(3)] + f"{int(m.group(3)) % 28 + 1:0{len(m.group(3))}d}" + text[m.end(3) :]


def _wrong_id(text: str) -> str | None:
    m = _ID.search(text)
    if m is None:
        return None
    digit = m.group(1)[-1]
    return text[: m.end() - 1] + str((int(digit) + 3) % 10) + text[m.end() :]


def _wrong_product(text: str, product: str | None, language: str) -> str | None:
    if not product or product not in text:
        return None
    others = [
        p
        for p in PRODUCTS
        if p != product and (re.search(r"[\u4e00-\u9fff]", p) is not None) == (language == "zh")
    ]
    return text.replace(product, others[len(product) % len(others)])


def build() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for i, (lang, template, facts, faithful, translation, product) in enumerate(BASES):
        base = {"base": i, "language": lang, "template": template, "facts": facts}

        def add(
            kind: str,
            text: str | None,
            expect_ok: bool,
            base: dict[str, Any] = base,
            faithful: str = faithful,
        ) -> None:
            if text is not None and text != faithful or kind == "correct":
                cases.append(base | {"kind": kind, "text": text, "expect_ok": expect_ok})

        add("correct", faithful, True)
        add("wrong_number", _wrong_number(faithful), False)
        add("wrong_date", _wrong_date(faithful), False)
        add("wrong_id", _wrong_id(faithful), False)
        add("wrong_product", _wrong_product(faithful, product, lang), False)
        add("invented_promise", faithful + " " + PROMISES[lang][i % len(PROMISES[lang])], False)
        add(
            "invented_promise",
            faithful + " " + PROMISES[lang][(i + 5) % len(PROMISES[lang])],
            False,
        )
        if "转" not in template and "passed you" not in template:
            add(
                "invented_transfer",
                faithful + " " + TRANSFERS[lang][i % len(TRANSFERS[lang])],
                False,
            )
        add("refusal", REFUSALS[lang][i % len(REFUSALS[lang])] + " " + faithful, False)
        add("wrong_language", translation, False)
        for kind, by_lang in HELD_OUT.items():
            phrases = by_lang[lang]
            if kind == "transfer" and ("转" in template or "passed you" in template):
                continue
            phrase = phrases[i % len(phrases)]
            text = (phrase + " " + faithful) if kind == "refusal" else (faithful + " " + phrase)
            cases.append(
                base
                | {
                    "kind": f"invented_{kind}" if kind != "refusal" else kind,
                    "text": text,
                    "expect_ok": False,
                    "heldout": True,
                }
            )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("tests/llm/fixtures/guard_cases.jsonl"))
    args = parser.parse_args()
    cases = build()
    with args.out.open("w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases -> {args.out}")


if __name__ == "__main__":
    main()
