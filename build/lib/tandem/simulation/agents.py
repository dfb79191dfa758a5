"""Simulated agents: shifts, skills, caps, handling times, breaks, hostile exposure.

A roster is a JSON file (or built from a head count)::

    {"agents": [
      {"name": "小王", "shift": "08:00-16:00", "skills": ["pre_sale", "after_sale", "logistics"],
       "max_concurrent": 3, "wage_per_hour": 35},
      ...],
     "break_every_minutes": 120, "break_minutes": 15}

Handling time is log-normal around a mean per kind of problem (slower for a hostile customer,
and slower when the agent holds several conversations at once).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from tandem.simulation.errors import SimulationInputError

ALL_SKILLS = ("pre_sale", "after_sale", "logistics", "vip")


@dataclass(frozen=True)
class AgentSpec:
    name: str
    start_seconds: float  # shift start, from the start of the run
    end_seconds: float
    skills: frozenset[str] = frozenset(ALL_SKILLS)
    max_concurrent: int = 3
    wage_per_hour: float = 35.0


@dataclass(frozen=True)
class HandlingTimes:
    """Mean seconds of a person's work on one conversation, by skill; coefficient of variation."""

    mean_seconds: dict[str, float] = field(
        default_factory=lambda: {
            "pre_sale": 180.0,
            "logistics": 200.0,
            "after_sale": 360.0,
            "vip": 300.0,
            "supervisor": 480.0,
        }
    )
    cv: float = 0.8
    hostile_factor: float = 1.4
    # Each further conversation held at once slows the agent by this share.
    concurrency_penalty: float = 0.15
    # None: log-normal; "exponential": memoryless (the M/M/c validation).
    distribution: str = "lognormal"

    def draw(self, rng: random.Random, skill: str, hostile: bool, held: int) -> float:
        mean = self.mean_seconds.get(skill, 240.0)
        if hostile:
            mean *= self.hostile_factor
        mean *= 1 + self.concurrency_penalty * max(0, held - 1)
        if self.distribution == "exponential":
            return rng.expovariate(1 / mean)
        sigma2 = math.log(1 + self.cv**2)
        return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True)
class Roster:
    agents: tuple[AgentSpec, ...]
    break_every_seconds: float = 7200.0
    break_seconds: float = 900.0

    def staffed_hours(self, horizon_seconds: float) -> float:
        return sum(
            max(0.0, min(a.end_seconds, horizon_seconds) - a.start_seconds) / 3600
            for a in self.agents
        )

    def wage_cost(self, horizon_seconds: float) -> float:
        return sum(
            max(0.0, min(a.end_seconds, horizon_seconds) - a.start_seconds) / 3600 * a.wage_per_hour
            for a in self.agents
        )


def _bad(source: str, zh: str, en: str) -> SimulationInputError:
    return SimulationInputError(f"排班文件 {source} 有误：{zh}", f"roster file {source}: {en}")


def _clock(source: str, value: str) -> float:
    try:
        hh, mm = value.split(":")
        return int(hh) * 3600 + int(mm) * 60
    except ValueError:
        raise _bad(
            source,
            f"班次时间“{value}”应写成 HH:MM-HH:MM（如 08:00-16:00）。",
            f"shift time '{value}' should be HH:MM-HH:MM (e.g. 08:00-16:00).",
        ) from None


def parse_roster(data: object, source: str = "<roster>") -> Roster:
    if not isinstance(data, dict) or not isinstance(data.get("agents"), list) or not data["agents"]:
        raise _bad(source, "需要一个非空的 agents 列表。", "needs a non-empty list of agents.")
    agents = []
    for i, row in enumerate(data["agents"], start=1):
        if not isinstance(row, dict):
            raise _bad(source, f"第 {i} 个客服应是一个对象。", f"agent {i} should be an object.")
        shift = str(row.get("shift", "00:00-24:00"))
        if "-" not in shift:
            raise _bad(
                source,
                f"第 {i} 个客服的班次“{shift}”缺少“-”。",
                f"agent {i}: shift '{shift}' lacks a '-'.",
            )
        a, b = shift.split("-", 1)
        start, end = _clock(source, a), _clock(source, b)
        if end <= start:
            end += 24 * 3600  # a night shift past midnight
        skills = row.get("skills", list(ALL_SKILLS))
        cap = row.get("max_concurrent", 3)
        if not isinstance(cap, int) or not 1 <= cap <= 20:
            raise _bad(
                source,
                f"第 {i} 个客服的 max_concurrent 应是 1 到 20 的整数。",
                f"agent {i}: max_concurrent must be a whole number from 1 to 20.",
            )
        agents.append(
            AgentSpec(
                name=str(row.get("name") or f"agent-{i}"),
                start_seconds=start,
                end_seconds=end,
                skills=frozenset(str(s) for s in skills),
                max_concurrent=cap,
                wage_per_hour=float(row.get("wage_per_hour", 35.0)),
            )
        )
    return Roster(
        tuple(agents),
        break_every_seconds=float(data.get("break_every_minutes", 120)) * 60,
        break_seconds=float(data.get("break_minutes", 15)) * 60,
    )


def load_roster(path: Path) -> Roster:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _bad(str(path), "文件不存在。", "the file does not exist.") from None
    except json.JSONDecodeError as exc:
        raise _bad(
            str(path),
            f"不是有效的 JSON（第 {exc.lineno} 行）。",
            f"not valid JSON (line {exc.lineno}).",
        ) from None
    return parse_roster(data, str(path))


def uniform_roster(
    agents: int,
    horizon_seconds: float,
    *,
    shift_hours: float = 8.0,
    max_concurrent: int = 3,
    wage_per_hour: float = 35.0,
    supervisors: int = 1,
) -> Roster:
    """`agents` people in staggered shifts covering the horizon (each shift `shift_hours`;
    one in ten — and at least `supervisors` — also takes VIP and supervisor cases)."""
    if agents < 0:
        raise SimulationInputError(
            f"客服人数不能为负数：{agents}。", f"agents must be 0 or more, got {agents}."
        )
    shift = min(shift_hours * 3600, horizon_seconds)
    shifts = max(1, math.ceil(horizon_seconds / shift))
    specs = []
    for i in range(agents):
        k = i % shifts
        start = k * shift
        skills = set(ALL_SKILLS)
        if i < supervisors or i % 10 == 9:
            skills.add("supervisor")
        specs.append(
            AgentSpec(
                name=f"agent-{i + 1:02d}",
                start_seconds=start,
                end_seconds=min(horizon_seconds, start + shift) if shifts > 1 else horizon_seconds,
                skills=frozenset(skills),
                max_concurrent=max_concurrent,
                wage_per_hour=wage_per_hour,
            )
        )
    return Roster(tuple(specs))
