"""Out-of-scope training text for CLINC150 borrowed from other sets (outlier exposure).

    python -m bench.nlu_negatives --out FILE [--bank-per-label N] [--no-shop]

CLINC150's oos class learns from 100 training examples; these sources add text that is
clearly outside its 150 intents, written by other people for other assistants:

- BANKING77 training rows (`/work/shared/data/banking77/train.jsonl`) of the labels below:
  card top-ups, virtual and disposable cards, cash machines, identity checks, app and account
  questions. The labels were chosen by their meaning against CLINC150's intent list, before
  any scoring; every BANKING77 label with a CLINC150 counterpart (exchange rates, transfers,
  balances, PINs, lost or new cards, declined or unknown payments, expiry) is left out.
- the demo shop's English intents (`understanding/data/intents_en.txt`) about goods, returns,
  refunds and parcels; greetings, thanks, goodbyes, order status, payments and cancelling,
  which CLINC150 has, are left out.

Written as JSONL `{"text": ..., "source": ...}` for `tandem nlu train --negatives FILE`.
How much to add is decided on the training hold-outs (`bench.nlu_oos_study --negatives`).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random

from tandem.understanding import demo_data

BANK_OUTSIDE = (
    "automatic_top_up",
    "top_up_by_bank_transfer_charge",
    "pending_top_up",
    "top_up_limits",
    "top_up_reverted",
    "topping_up_by_card",
    "verify_top_up",
    "top_up_by_cash_or_cheque",
    "top_up_failed",
    "top_up_by_card_charge",
    "getting_virtual_card",
    "disposable_card_limits",
    "virtual_card_not_working",
    "get_disposable_virtual_card",
    "pending_cash_withdrawal",
    "wrong_amount_of_cash_received",
    "atm_support",
    "declined_cash_withdrawal",
    "cash_withdrawal_not_recognised",
    "cash_withdrawal_charge",
    "card_swallowed",
    "why_verify_identity",
    "unable_to_verify_identity",
    "verify_my_identity",
    "verify_source_of_funds",
    "edit_personal_details",
    "passcode_forgotten",
    "age_limit",
    "country_support",
    "fiat_currency_support",
    "supported_cards_and_currencies",
    "visa_or_mastercard",
    "apple_pay_or_google_pay",
    "contactless_not_working",
    "beneficiary_not_allowed",
    "receiving_money",
    "card_linking",
    "request_refund",
    "Refund_not_showing_up",
)

SHOP_OUTSIDE = (
    "product_info",
    "stock",
    "price_promotion",
    "coupon",
    "size",
    "invoice",
    "change_address",
    "urge_shipping",
    "return",
    "exchange",
    "refund",
    "refund_status",
    "damaged_or_wrong_item",
    "quality_issue",
    "how_to_use",
    "warranty",
    "complaint",
)


def bank_negatives(path: pathlib.Path, per_label: int, seed: int = 3) -> list[str]:
    """Up to `per_label` texts of each BANK_OUTSIDE label (a fixed-seed sample; 0: all)."""
    by: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["label"] in BANK_OUTSIDE:
                by.setdefault(row["label"], []).append(str(row["text"]))
    rng = random.Random(seed)
    out: list[str] = []
    for label in BANK_OUTSIDE:
        texts = by.get(label, [])
        out.extend(
            texts if not per_label or len(texts) <= per_label else rng.sample(texts, per_label)
        )
    return out


def shop_negatives() -> list[str]:
    pkg = pathlib.Path(demo_data.__file__).parent
    rows = demo_data.read_sections(pkg / "data/intents_en.txt")
    return [r.text for r in rows if r.label in SHOP_OUTSIDE]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/work/shared/data"))
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--bank-per-label", type=int, default=0, help="0: every row; -1: none")
    ap.add_argument("--no-shop", action="store_true")
    args = ap.parse_args()
    rows: list[dict[str, str]] = []
    if args.bank_per_label >= 0:
        bank = bank_negatives(args.data / "banking77/train.jsonl", args.bank_per_label)
        rows += [{"text": t, "source": "banking77"} for t in bank]
    if not args.no_shop:
        rows += [{"text": t, "source": "intents_en"} for t in shop_negatives()]
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    print(f"{len(rows)} negatives -> {args.out}")


if __name__ == "__main__":
    main()
