"""`tandem demo reset`: a case used up in the demo (a refund done) can be tried again."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tandem.demo import reset_demo_shop
from tandem.services import Services
from tandem.shop.models import ShopOrder
from tandem.shop.seed import SITUATIONS, demo_customers


async def _status(services: Services, order_id: str) -> str:
    async with services.sessions() as session:
        status = await session.scalar(select(ShopOrder.status).where(ShopOrder.id == order_id))
    assert status is not None
    return str(status)


async def test_reset_restores_a_refunded_demo_order(
    services: Services, client: httpx.AsyncClient
) -> None:
    async with services.sessions() as session:
        customers = await demo_customers(session, services.settings.widget_secret)
    assert len(customers) == len(SITUATIONS) == 16
    unshipped = customers["unshipped"]
    r = await client.post(
        "/api/v1/conversations",
        json={"customer": {k: unshipped[k] for k in ("external_id", "signature")}},
    )
    cid, token = r.json()["id"], r.json()["customer_token"]
    r = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "我不想要了，帮我退款", "client_msg_id": "r-1"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    # A refund is done only once the customer says yes.
    assert await _status(services, unshipped["order_id"]) == "paid"
    r = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "确定", "client_msg_id": "r-2"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    assert await _status(services, unshipped["order_id"]) == "refunded"

    await reset_demo_shop(services)

    assert await _status(services, unshipped["order_id"]) == "paid"
    async with services.sessions() as session:
        again = await demo_customers(session, services.settings.widget_secret)
    assert again == customers
