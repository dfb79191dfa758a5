import dataclasses

from tandem.engine.summary import (
    EXCHANGE_FEATURES,
    SummaryParams,
    Turn,
    exchange_candidates,
    summarise,
)
from tandem.evaluation.csds import CsdsDialogue
from tandem.evaluation.summary_weights import fit_exchange_weights, oracle_labels

C, A = "customer", "agent"


def _dialogue(i: int) -> CsdsDialogue:
    # Two exchanges: a real question the reference summarises, then small talk it ignores.
    turns = (
        Turn(C, f"第{i}号订单的发票可以开公司抬头吗?"),
        Turn(A, "可以的，请您在订单详情里申请换开发票"),
        Turn(C, "今天天气真不错，你们那边下雨了吗"),
        Turn(A, "我们这边是晴天呢"),
    )
    summary = "用户询问发票可以开公司抬头吗。客服回答可以在订单详情里申请换开发票。"
    return CsdsDialogue(id=f"t-{i}", turns=turns, summary=summary)


def test_candidates_expose_one_feature_per_name() -> None:
    candidates = exchange_candidates(_dialogue(1).turns)
    assert len(candidates) == 2
    assert all(len(c.features) == len(EXCHANGE_FEATURES) for c in candidates)
    assert candidates[0].text.startswith("用户询问")


def test_oracle_keeps_the_exchange_the_reference_talks_about() -> None:
    labels = [label for _, label in oracle_labels(_dialogue(1), SummaryParams())]
    assert labels == [1, 0]


def test_learned_weights_drive_selection() -> None:
    dialogues = [_dialogue(i) for i in range(12)]
    params = fit_exchange_weights(dialogues, max_exchanges=(1,))
    assert params.exchange_weights is not None
    assert len(params.exchange_weights) == len(EXCHANGE_FEATURES)
    text = summarise(_dialogue(99).turns, params=params)
    assert "发票" in text and "天气" not in text
    # Weights that prefer the weather talk pick it instead: the weights really decide.
    flipped = dataclasses.replace(
        params,
        exchange_weights=tuple(-w for w in params.exchange_weights),
        exchange_bias=-params.exchange_bias,
        min_probability=0.0,
    )
    assert "天气" in summarise(_dialogue(99).turns, params=flipped)
