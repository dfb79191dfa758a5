"""Contact blocks for supervisors: block the customer behind a conversation, list, lift."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tandem.contacts import service
from tandem.contacts.schemas import BlockIn, BlockOut, UnblockIn
from tandem.deps import ServicesDep, SupervisorDep
from tandem.identity import audit

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])


@router.post("/blocks", status_code=201, response_model=BlockOut)
async def block(body: BlockIn, services: ServicesDep, supervisor: SupervisorDep) -> BlockOut:
    """Block the customer of `conversation_id` (their signed id, else their address). They
    are told politely and can neither open conversations nor send messages until lifted."""
    async with services.unit_of_work() as uow:
        row = await service.block_contact(
            uow,
            conversation_id=body.conversation_id,
            reason=body.reason,
            by=supervisor.id,
            now=services.clock.now(),
        )
        await audit.record(
            uow,
            actor=supervisor,
            action="block",
            at=services.clock.now(),
            target=row.id,
            details={"conversation_id": body.conversation_id, "reason": body.reason},
        )
        out = BlockOut.model_validate(row)
    return out


@router.get("/blocks", response_model=list[BlockOut])
async def blocks(
    services: ServicesDep,
    supervisor: SupervisorDep,
    active: Annotated[bool | None, Query()] = True,
) -> list[BlockOut]:
    async with services.sessions() as session:
        return [
            BlockOut.model_validate(b) for b in await service.list_blocks(session, active=active)
        ]


@router.post("/blocks/{block_id}/unblock", response_model=BlockOut)
async def unblock(
    block_id: str, body: UnblockIn, services: ServicesDep, supervisor: SupervisorDep
) -> BlockOut:
    async with services.unit_of_work() as uow:
        row = await service.unblock_contact(
            uow, block_id=block_id, reason=body.reason, by=supervisor.id, now=services.clock.now()
        )
        await audit.record(
            uow,
            actor=supervisor,
            action="unblock",
            at=services.clock.now(),
            target=row.id,
            details={"reason": body.reason},
        )
        out = BlockOut.model_validate(row)
    return out
