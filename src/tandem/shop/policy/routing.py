"""Settings the engine reads to choose AI-first or human-first, and staffed hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from tandem.shop.policy_config import ShopPolicy
from tandem.shop.types import Order, Tier


def human_first_reason(order: Order | None, tier: Tier | None, policy: ShopPolicy) -> str | None:
    """Why this conversation should go to a person first, or None for AI-first.

    Returns one of "vip", "high_value", "human_first_category".
    """
    if tier == Tier.VIP and policy.vip_human_first:
        return "vip"
    if order is not None:
        if order.total_cents >= policy.high_value_threshold_cents:
            return "high_value"
        if order.categories & set(policy.human_first_categories):
            return "human_first_category"
    return None


def within_service_hours(policy: ShopPolicy, now: datetime) -> bool:
    """Whether human agents are scheduled to be on duty at `now` (shop's local time)."""
    hours = policy.service_hours
    local = now.astimezone(hours.zone).time()
    return hours.opens <= local < hours.closes


def next_service_opening(policy: ShopPolicy, now: datetime) -> datetime:
    """When human service next opens (now, if it is open), as an aware datetime in UTC."""
    if within_service_hours(policy, now):
        return now
    hours = policy.service_hours
    local = now.astimezone(hours.zone)
    opening = local.replace(
        hour=hours.opens.hour, minute=hours.opens.minute, second=0, microsecond=0
    )
    if opening <= local:
        opening += timedelta(days=1)
    return opening.astimezone(now.tzinfo)


def unstaffed_reply_by(policy: ShopPolicy, now: datetime, eta_seconds: int) -> datetime:
    """The reply a ticket may promise in service hours with nobody signed in: the policy's
    `unstaffed_reply_minutes` (never sooner than the queue's own estimate), or the next
    opening when that time falls after closing."""
    wait = max(
        timedelta(minutes=policy.service_hours.unstaffed_reply_minutes),
        timedelta(seconds=eta_seconds),
    )
    by = now.replace(microsecond=0) + wait
    return by if within_service_hours(policy, by) else next_service_opening(policy, by)
