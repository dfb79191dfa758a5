"""The break suggestion keeps its reason when the desk reloads (it read "建议休息一下：。")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tandem.desk import presence
from tandem.routing import assignment
from tandem.routing.models import HostileEventRow
from tandem.services import Services

from .helpers import set_online

pytestmark = pytest.mark.asyncio


async def test_agents_list_states_why_a_break_was_suggested(services: Services) -> None:
    ids = await set_online(services, "agent1", "agent2")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        # Three abusive conversations 5, 10 and 15 minutes ago over a 2 h window:
        # exposure 3 - (5 + 10 + 15) / 120 = 2.75, over the 2.5 threshold, under critical 4.
        for minutes in (5, 10, 15):
            uow.session.add(
                HostileEventRow(
                    agent_id=ids["agent1"],
                    conversation_id=f"h{minutes}",
                    at=now - timedelta(minutes=minutes),
                    kind="abusive",
                )
            )
        await uow.session.flush()
        await assignment.assign_waiting(uow, now)
    async with services.sessions() as session:
        listed = {a["username"]: a for a in await presence.agents(session, now)}
    assert listed["agent1"]["break_suggested"] is True
    assert listed["agent1"]["break_reasons"] == ["sustained_hostile_load"]
    assert listed["agent1"]["exposure"] == 2.75
    assert listed["agent2"]["break_suggested"] is False
    assert listed["agent2"]["break_reasons"] == []
