"""The customer's language as part of eligibility."""

from __future__ import annotations

from dataclasses import replace

from tandem.routing.policy import is_eligible, next_assignments, speaks

from .factories import agent, at, entry


def test_an_agent_without_language_skills_serves_every_language() -> None:
    assert speaks(agent("a", ("after_sale",)), "en")
    assert speaks(agent("a", ("after_sale", "zh")), "zh")
    assert not speaks(agent("a", ("after_sale", "zh")), "en")
    assert speaks(agent("a", ("after_sale", "zh")), None)


def test_english_customer_goes_to_the_agent_who_speaks_english() -> None:
    zh_only = agent("a1", ("after_sale", "zh"))
    both = agent("a2", ("after_sale", "zh", "en"), active=2)
    english = replace(entry("c1"), language="en")
    assert not is_eligible(zh_only, english, at(1))
    # a1 has more room, but only a2 can talk to this customer.
    assert next_assignments([english], [zh_only, both], at(1)) == [("c1", "a2")]


def test_a_language_nobody_speaks_does_not_block_the_same_skill_in_another() -> None:
    zh_only = agent("a1", ("after_sale", "zh"))
    english = replace(entry("c1", minute=0), language="en")
    chinese = replace(entry("c2", minute=5), language="zh")
    assert next_assignments([english, chinese], [zh_only], at(6)) == [("c2", "a1")]
