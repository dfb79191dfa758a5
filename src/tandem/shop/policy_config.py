"""The shop's written policy: a TOML file the shop edits, loaded into a typed `ShopPolicy`.

Pure: reads a file only when asked (`load_policy`), no database, no network.
"""

from __future__ import annotations

import re
import tomllib
from datetime import time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tandem.shop.types import Category, ReturnReason

DEFAULT_POLICY_RESOURCE = "default_policy.toml"

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the bad key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RefundRules(_Section):
    unshipped_refund_immediate: bool = True
    approval_threshold_yuan: int = Field(default=1000, ge=0)
    refund_on_return_tracking: bool = True
    # What one person may pay back in one action, by role (admins: no limit).
    agent_limit_yuan: int = Field(default=2000, ge=0)
    supervisor_limit_yuan: int = Field(default=20000, ge=0)


class ReturnRules(_Section):
    no_reason_days: int = Field(default=7, ge=0, le=365)
    quality_window_days: int = Field(default=15, ge=0, le=365)
    no_reason_excluded_categories: tuple[Category, ...] = (
        Category.FRESH_FOOD,
        Category.CUSTOMISED,
    )
    excluded_when_opened: tuple[Category, ...] = (Category.OTC_MEDICINE,)
    evidence_required_reasons: tuple[ReturnReason, ...] = (
        ReturnReason.QUALITY,
        ReturnReason.DAMAGED,
        ReturnReason.WRONG_ITEM,
        ReturnReason.NOT_AS_DESCRIBED,
    )


class ShippingRules(_Section):
    ship_within_hours: int = Field(default=48, ge=1, le=24 * 60)
    deliver_within_days: int = Field(default=3, ge=1, le=60)


class RoutingRules(_Section):
    high_value_threshold_yuan: int = Field(default=3000, ge=0)
    human_first_categories: tuple[Category, ...] = (Category.CUSTOMISED,)
    vip_human_first: bool = True


class ServiceHours(_Section):
    hours: str = "09:00-21:00"
    timezone: str = "Asia/Shanghai"
    # In service hours with nobody signed in, a ticket promises a reply within this many minutes
    # (or by the next opening, when that is later than closing time).
    unstaffed_reply_minutes: int = Field(default=30, ge=1, le=24 * 60)

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: str) -> str:
        m = _HOURS.match(v.strip())
        if not m:
            raise ValueError('write the hours as "HH:MM-HH:MM", e.g. "09:00-21:00"')
        if (int(m[1]), int(m[2])) >= (int(m[3]), int(m[4])):
            raise ValueError("the opening time must be before the closing time")
        return v.strip()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {v!r}; use an IANA name like Asia/Shanghai") from e
        return v

    @property
    def opens(self) -> time:
        h, m = self.hours.split("-")[0].split(":")
        return time(int(h), int(m))

    @property
    def closes(self) -> time:
        h, m = self.hours.split("-")[1].split(":")
        # "24:00" means midnight at the end of the day.
        return time(23, 59, 59) if h == "24" else time(int(h), int(m))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class EngineRules(_Section):
    """How the AI and the people share the work (the `[engine]` table; docs/engine.md)."""

    # Below this calibrated confidence the AI does not act on its reading of the message: it
    # asks one clarifying question, then hands off.
    min_confidence: float = Field(default=0.55, ge=0, le=1)
    # A knowledge entry below the retriever's bar is still used when the intent classifier
    # is at least this sure of a knowledge intent and the entry is about that intent...
    intent_sure: float = Field(default=0.85, ge=0, le=1)
    # ...and the entry's own confidence is at least this.
    kb_agreement_confidence: float = Field(default=0.3, ge=0, le=1)
    # Explicit request for a person: honoured in the same turn (cannot be switched off).
    # After this many answers the AI could not give, it hands off.
    max_fallbacks: int = Field(default=2, ge=1, le=5)
    # Emotion intensity (0..1) from which the reply starts with an acknowledgement...
    acknowledge_emotion: float = Field(default=0.5, ge=0, le=1)
    # ...and from which the priority is raised and a person is offered at once.
    strong_emotion: float = Field(default=0.6, ge=0, le=1)
    # Abusive messages before the conversation is flagged and routed to a supervisor.
    abuse_limit: int = Field(default=2, ge=1, le=10)
    # Human-first (value, VIP, categories) applies to these intents, after the AI has found
    # the order and what happened. Status questions stay with the AI.
    human_first_intents: tuple[str, ...] = (
        "refund",
        "return",
        "exchange",
        "cancel_order",
        "damaged_or_wrong_item",
        "quality_issue",
        "complaint",
        "change_address",
    )
    # Priority points (higher is served first; the queue also ages entries).
    priority_strong_emotion: int = 50
    priority_vip: int = 40
    priority_high_value: int = 30
    priority_abuse: int = 20


class ShopPolicy(_Section):
    """The whole written policy. Money is in yuan in the file; use the `*_cents` properties."""

    refund: RefundRules = RefundRules()
    returns: ReturnRules = ReturnRules()
    shipping: ShippingRules = ShippingRules()
    routing: RoutingRules = RoutingRules()
    service_hours: ServiceHours = ServiceHours()
    engine: EngineRules = EngineRules()

    # Flat names the engine reads (issue 4 contract).
    @property
    def refund_approval_threshold_cents(self) -> int:
        return self.refund.approval_threshold_yuan * 100

    def refund_limit_cents(self, role: str) -> int | None:
        """The most one person of `role` may refund in one action; None: no limit (admin)."""
        if role == "admin":
            return None
        if role == "supervisor":
            return self.refund.supervisor_limit_yuan * 100
        return self.refund.agent_limit_yuan * 100

    @property
    def high_value_threshold_cents(self) -> int:
        return self.routing.high_value_threshold_yuan * 100

    @property
    def human_first_categories(self) -> tuple[Category, ...]:
        return self.routing.human_first_categories

    @property
    def vip_human_first(self) -> bool:
        return self.routing.vip_human_first


def parse_policy(text: str, source: str = "<policy>") -> ShopPolicy:
    """Parse TOML text into a policy; errors name the source and the dotted key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"{source}: not valid TOML ({e}). Fix the syntax and restart.") from e
    try:
        return ShopPolicy.model_validate(raw)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            key = ".".join(str(p) for p in err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (misspelt? see the default policy for the known keys)"
            problems.append(f"{key}: {msg}")
        raise PolicyError(f"{source}: " + "; ".join(problems)) from e


def default_policy_text() -> str:
    return resources.files("tandem.shop").joinpath(DEFAULT_POLICY_RESOURCE).read_text("utf-8")


def load_policy(path: Path | None = None) -> ShopPolicy:
    """The shop's policy file, or the default shipped with Tandem when `path` is None."""
    if path is None:
        return parse_policy(default_policy_text(), DEFAULT_POLICY_RESOURCE)
    try:
        text = path.read_text("utf-8")
    except OSError as e:
        raise PolicyError(
            f"cannot read the shop policy file {path} ({e.strerror}); "
            "check TANDEM_SHOP_POLICY_FILE or unset it to use the default policy"
        ) from e
    return parse_policy(text, str(path))
