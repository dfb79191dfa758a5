"""`tandem simulate ...`: compare policies, plan staffing, replay a period, check the maths."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tandem.config import Settings
from tandem.core.errors import TandemError
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker
from tandem.shop.provider import build_shop
from tandem.simulation.agents import load_roster
from tandem.simulation.bots import POLICIES, EngineServices, check_policies, load_shop_policy
from tandem.simulation.metrics import Costs
from tandem.simulation.replay import ReplayReport, replay_period
from tandem.simulation.report import figures_json, table, write_report
from tandem.simulation.run import Scenario, compare
from tandem.simulation.staffing import StaffingTarget, needs_per_interval, plan_shifts
from tandem.simulation.traffic import load_curve
from tandem.simulation.validation import mmc_check

app = typer.Typer(help="模拟与排班 / Simulation and staffing.", no_args_is_help=True)
# Wide enough for the comparison table when the output is a file or a pipe.
console = Console(width=None if Console().is_terminal else 150)
err = Console(stderr=True)

TrafficOption = Annotated[
    str,
    typer.Option(
        "--traffic",
        help="流量曲线：CSV/JSON 文件或内置名称（normal_day、double11） / rate curve file or shipped name.",
    ),
]
ScaleOption = Annotated[float, typer.Option(help="流量倍数 / multiply every rate by this.")]
HoursOption = Annotated[
    float | None, typer.Option(help="只模拟前几个小时 / simulate only the first N hours.")
]


@app.callback()
def simulate() -> None:
    """模拟与排班 / Simulation and staffing."""


def _fail(exc: TandemError) -> typer.Exit:
    err.print(f"[red]错误 / error:[/red] {exc.message}")
    return typer.Exit(code=2)


def _start(day: str | None, zone_policy: Path | None) -> datetime:
    policy = load_shop_policy(zone_policy)
    d = date.fromisoformat(day) if day else date(2026, 11, 11)
    return datetime.combine(d, time(0, 0), tzinfo=policy.service_hours.zone).astimezone(UTC)


@app.command("compare")
def compare_command(
    traffic: TrafficOption = "double11",
    scale: ScaleOption = 0.1,
    hours: HoursOption = None,
    agents: Annotated[
        int, typer.Option(help="客服人数（轮班） / agents, in staggered shifts.")
    ] = 20,
    roster: Annotated[Path | None, typer.Option(help="排班 JSON 文件 / roster JSON file.")] = None,
    policies: Annotated[
        str, typer.Option(help=f"逗号分隔 / comma-separated: {','.join(POLICIES)}")
    ] = ",".join(POLICIES),
    seed: Annotated[int, typer.Option(help="随机种子（同种子同结果） / seed.")] = 7,
    messages: Annotated[
        Path | None,
        typer.Option(help="顾客消息 JSONL / customer messages (evaluation-set format)."),
    ] = None,
    policy_file: Annotated[
        Path | None, typer.Option(help="店铺规则 TOML / shop policy file.")
    ] = None,
    knowledge: Annotated[
        Path | None, typer.Option(help="知识库 JSONL/CSV / knowledge file.")
    ] = None,
    wage: Annotated[float, typer.Option(help="客服时薪（元） / wage per agent hour (¥).")] = 35.0,
    ai_cost: Annotated[
        float, typer.Option(help="AI 每轮成本（元） / AI cost per turn (¥).")
    ] = 0.02,
    day: Annotated[
        str | None, typer.Option(help="模拟日期 YYYY-MM-DD（店铺时区） / day simulated.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="报告目录（HTML、SVG、JSON） / report directory.")
    ] = None,
    lang: Annotated[str, typer.Option(help="zh 或 en")] = "zh",
) -> None:
    """对比四种策略 / Compare policies over the same simulated customers."""
    try:
        curve = load_curve(traffic).scaled(scale)
        if hours is not None:
            curve = curve.truncated(hours)
        names = check_policies([p.strip() for p in policies.split(",") if p.strip()])
        the_roster = load_roster(roster) if roster else None
        scenario = Scenario(
            curve=curve,
            roster=the_roster,
            agents=agents,
            wage_per_hour=wage,
            policies=names,
            seed=seed,
            start=_start(day, policy_file),
            costs=Costs(ai_cost_per_turn=ai_cost),
            messages=messages,
            policy_file=policy_file,
            knowledge_file=knowledge,
        )
        expected = int(curve.expected_arrivals)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}
            with err.status("载入模型与知识库 / loading models and knowledge..."):
                services = EngineServices.build(policy_file=policy_file, knowledge_file=knowledge)

            def progress(policy: str, k: int, total: int) -> None:
                if policy not in tasks:
                    tasks[policy] = bar.add_task(policy, total=total or expected)
                bar.advance(tasks[policy], k)

            result = compare(scenario, services=services, progress=progress)
    except TandemError as exc:
        raise _fail(exc) from None
    if result.bank.fallback:
        err.print(
            "[yellow]注意：未安装评测集 shopper_dev.jsonl，使用内置的 100 条示例消息。"
            " / the evaluation set is not installed: using the shipped 100-message bank.[/yellow]"
        )
    console.print(table(result, "en" if lang == "en" else "zh"))
    if out is not None:
        paths = write_report(result, out, "en" if lang == "en" else "zh")
        (out / "figures.json").write_text(
            json.dumps(figures_json(result), ensure_ascii=False, indent=1), "utf-8"
        )
        console.print(f"报告 / report: {paths[0]}")


@app.command("staff")
def staff_command(
    traffic: TrafficOption = "double11",
    scale: ScaleOption = 1.0,
    aht: Annotated[
        float, typer.Option(help="平均处理时长（秒） / average handling seconds.")
    ] = 300.0,
    target_seconds: Annotated[
        float, typer.Option(help="目标接入时间（秒） / answer within.")
    ] = 60.0,
    service_level: Annotated[
        float, typer.Option(help="服务水平（如 0.8） / share answered in time.")
    ] = 0.8,
    concurrency: Annotated[int, typer.Option(help="每人同时会话数 / conversations per agent.")] = 1,
    patience: Annotated[
        float | None,
        typer.Option(help="平均耐心（秒）：给出则用 Erlang A / mean patience: Erlang A."),
    ] = None,
    shrinkage: Annotated[
        float, typer.Option(help="休息等占比 / share of paid time off the queue.")
    ] = 0.1,
    shift_hours: Annotated[float, typer.Option(help="班次长度（小时） / shift length.")] = 8.0,
    roster_out: Annotated[
        Path | None, typer.Option(help="写出排班 JSON / write the roster JSON.")
    ] = None,
) -> None:
    """按预测排班（Erlang C / Erlang A） / Agents per interval and a shift plan from a forecast."""
    try:
        curve = load_curve(traffic).scaled(scale)
        target = StaffingTarget(
            aht, target_seconds, service_level, concurrency, patience, shrinkage
        )
        needs = needs_per_interval(curve, target)
        plan = plan_shifts(needs, curve.interval_seconds, shift_hours)
    except (TandemError, ValueError) as exc:
        raise _fail(exc if isinstance(exc, TandemError) else TandemError(str(exc))) from None
    model = "Erlang A" if patience else "Erlang C"
    t = Table(
        title=f"排班 / staffing · {curve.name} · {model} · {service_level:.0%} ≤ {target_seconds:.0f}s"
    )
    for col in (
        "时段 / interval",
        "到达/小时 / per hour",
        "需在线 / answering",
        "需在班 / on shift",
        "排班 / planned",
    ):
        t.add_column(col, justify="right")
    for need, cover in zip(needs, plan.coverage(), strict=True):
        h = int(need.start_seconds // 3600)
        m = int(need.start_seconds % 3600 // 60)
        t.add_row(
            f"{h % 24:02d}:{m:02d}",
            f"{need.rate_per_hour:,.0f}",
            str(need.agents),
            str(need.on_shift),
            str(cover),
        )
    console.print(t)
    starts = sorted({s for s in plan.shift_starts})
    console.print(
        f"共 {plan.people} 个班次 / {plan.people} shifts of {shift_hours:g} h: "
        + ", ".join(
            f"{int(s // 3600) % 24:02d}:{int(s % 3600 // 60):02d}×{plan.shift_starts.count(s)}"
            for s in starts
        )
    )
    if roster_out is not None:
        data = {
            "agents": [
                {
                    "name": a.name,
                    "shift": f"{int(a.start_seconds // 3600) % 24:02d}:{int(a.start_seconds % 3600 // 60):02d}-"
                    f"{int(a.end_seconds // 3600) % 24:02d}:{int(a.end_seconds % 3600 // 60):02d}",
                    "skills": sorted(a.skills),
                    "max_concurrent": concurrency,
                }
                for a in plan.roster(max_concurrent=concurrency).agents
            ],
            "break_every_minutes": 120,
            "break_minutes": 15,
        }
        roster_out.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        console.print(
            f"排班文件 / roster: {roster_out}  (tandem simulate compare --roster {roster_out})"
        )


@app.command("replay")
def replay_command(
    since: Annotated[
        str, typer.Option(help="开始（含），ISO 日期或时间 / from (ISO date or time, UTC).")
    ],
    until: Annotated[str, typer.Option(help="结束（不含） / until (exclusive).")],
    policy_file: Annotated[
        Path | None, typer.Option(help="改动后的店铺规则 / the changed policy file.")
    ] = None,
    knowledge: Annotated[
        Path | None, typer.Option(help="改动后的知识库 / the changed knowledge file.")
    ] = None,
) -> None:
    """用改动后的规则或知识库重放一段时间的真实会话 / Replay recorded conversations."""

    def when(value: str) -> datetime:
        try:
            d = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(
                TandemError(
                    f"时间“{value}”应为 ISO 格式（如 2026-11-11 或 2026-11-11T08:00）。\n"
                    f"'{value}' should be an ISO date or time (e.g. 2026-11-11 or 2026-11-11T08:00)."
                )
            ) from None
        return d if d.tzinfo else d.replace(tzinfo=UTC)

    start, end = when(since), when(until)
    settings = Settings()

    async def run() -> object:
        services = EngineServices.build(policy_file=policy_file, knowledge_file=knowledge)
        engine = build_engine(settings)
        try:
            await upgrade(settings, engine)
            shop = build_shop(settings)
            async with build_sessionmaker(engine)() as session:
                return await replay_period(session, shop.adapter(session), services, start, end)
        finally:
            await engine.dispose()

    try:
        with err.status("重放中 / replaying..."):
            report = asyncio.run(run())
    except TandemError as exc:
        raise _fail(exc) from None
    assert isinstance(report, ReplayReport)
    console.print(
        f"会话 / conversations: {report.conversations}  AI 轮次 / AI turns: {report.turns}  "
        f"决定不同 / decisions that differ: {report.changed_turns}"
    )
    console.print(
        f"转人工 / hand-offs: 原 / recorded {report.handoffs_recorded} → 新 / replayed "
        f"{report.handoffs_replayed}  （避免 / avoided {report.handoffs_avoided}，"
        f"新增 / added {report.handoffs_added}）"
    )
    if report.examples:
        t = Table(title="不同的决定（示例） / decisions that differ (examples)")
        for col in ("会话 / conversation", "顾客消息 / message", "原 / recorded", "新 / replayed"):
            t.add_column(col)
        for ex in report.examples:
            t.add_row(ex.conversation_id[:12], ex.text, ex.recorded, ex.replayed)
        console.print(t)


@app.command("validate")
def validate_command(
    servers: Annotated[int, typer.Option(help="客服数 / agents (one conversation each).")] = 5,
    load: Annotated[float, typer.Option(help="话务量（Erlang） / offered load.")] = 3.0,
    hours: Annotated[float, typer.Option(help="模拟小时数 / simulated hours.")] = 500.0,
    seed: int = 1,
) -> None:
    """在 M/M/c 流量上核对模拟器与 Erlang C / Check the simulator against Erlang C."""
    handle = 60.0
    with err.status("模拟中 / simulating..."):
        r = mmc_check(servers, load * 3600 / handle, handle, hours, seed)
    console.print(
        f"M/M/{servers}, A = {load:g} Erl, {r.arrivals:,} customers: mean wait "
        f"{r.simulated_mean_wait:.2f}s (Erlang C {r.erlang_mean_wait:.2f}s, error "
        f"{r.relative_error:.2%}); P(wait) {r.simulated_p_wait:.4f} (Erlang C {r.erlang_p_wait:.4f})"
    )
