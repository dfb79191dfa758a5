"""The supervisors' what-if API: run a small comparison on the server's own engine services
(the understanding models, the live knowledge index and the shop policy it serves with).

Thin: validate, run the comparison in a worker thread (it is CPU work), return the figures.
The page is web/static/simulate.html.
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter
from pydantic import BaseModel, Field

from tandem.deps import ServicesDep, SupervisorDep
from tandem.simulation.agents import uniform_roster
from tandem.simulation.bots import POLICIES, EngineServices, check_policies
from tandem.simulation.errors import SimulationInputError
from tandem.simulation.metrics import Costs
from tandem.simulation.report import figures_json
from tandem.simulation.run import Scenario, compare
from tandem.simulation.traffic import builtin_curves, load_curve

router = APIRouter(tags=["simulation"])
# A what-if on the server answers in seconds: larger runs belong to `tandem simulate`.
MAX_CONVERSATIONS = 6000


class WhatIfIn(BaseModel):
    traffic: str = Field(default="double11", description="a shipped curve: normal_day, double11")
    scale: float = Field(default=0.05, gt=0, le=100)
    hours: float | None = Field(default=None, gt=0, le=48)
    agents: int = Field(default=10, ge=0, le=500)
    max_concurrent: int = Field(default=3, ge=1, le=10)
    policies: list[str] = Field(default_factory=lambda: list(POLICIES))
    seed: int = Field(default=7, ge=0, le=2**31)
    wage_per_hour: float = Field(default=35.0, ge=0, le=10_000)
    ai_cost_per_turn: float = Field(default=0.02, ge=0, le=100)


@router.post("/api/v1/simulate")
async def what_if(
    body: WhatIfIn, services: ServicesDep, supervisor: SupervisorDep
) -> dict[str, Any]:
    if body.traffic not in builtin_curves():
        raise SimulationInputError(
            f"未知的流量曲线 {body.traffic}。可选：{'、'.join(builtin_curves())}。",
            f"unknown traffic curve {body.traffic}; choose from {', '.join(builtin_curves())}.",
        )
    names = check_policies(body.policies)
    curve = load_curve(body.traffic).scaled(body.scale)
    if body.hours is not None:
        curve = curve.truncated(body.hours)
    if curve.expected_arrivals > MAX_CONVERSATIONS:
        raise SimulationInputError(
            f"这次模拟约有 {curve.expected_arrivals:,.0f} 个会话，页面上最多 {MAX_CONVERSATIONS:,} 个："
            "请减小流量倍数或小时数，或用命令 tandem simulate compare 运行大规模模拟。",
            f"about {curve.expected_arrivals:,.0f} conversations; the page runs at most "
            f"{MAX_CONVERSATIONS:,}: lower the scale or the hours, or run `tandem simulate compare`.",
        )
    engine = EngineServices(services.understanding, services.knowledge, services.shop.policy)
    scenario = Scenario(
        curve=curve,
        agents=body.agents,
        wage_per_hour=body.wage_per_hour,
        policies=names,
        seed=body.seed,
        costs=Costs(ai_cost_per_turn=body.ai_cost_per_turn),
    )
    scenario.roster = uniform_roster(
        body.agents,
        curve.horizon_seconds,
        max_concurrent=body.max_concurrent,
        wage_per_hour=body.wage_per_hour,
    )
    result = await to_thread.run_sync(lambda: compare(scenario, services=engine))
    return {
        "traffic": curve.name,
        "messages": result.bank.name,
        "fallback_messages": result.bank.fallback,
        "start_hour": result.scenario.start.astimezone(result.zone).hour,
        "figures": [
            {k: v for k, v in f.items() if k != "agents"} | {"agents": len(f["agents"])}
            for f in figures_json(result)
        ],
    }
