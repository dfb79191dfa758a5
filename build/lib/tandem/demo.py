"""The demo: accounts, the demo shop and its knowledge base; and putting the shop back as it
was seeded once its cases are used up (a refund done, a return started)."""

from __future__ import annotations

from sqlalchemy import delete, select

from tandem.identity.models import Account
from tandem.identity.service import create_account
from tandem.knowledge.service import seed_demo_faq
from tandem.services import Services
from tandem.shop.models import (
    ShopAction,
    ShopCustomer,
    ShopOrder,
    ShopOrderItem,
    ShopProduct,
    ShopProposal,
    ShopTrackingEvent,
)
from tandem.shop.seed import seed_demo_shop

# username, password, role, display name. Printed by `tandem demo`; for trying things out only.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("agent1", "tandem-demo", "agent", "小林"),
    ("agent2", "tandem-demo", "agent", "小周"),
    ("lead", "tandem-demo", "supervisor", "王主管"),
)
DEMO_SKILLS = {
    "agent1": ["pre_sale", "after_sale", "zh", "en"],
    "agent2": ["after_sale", "logistics", "zh"],
    "lead": ["vip", "zh", "en"],
}


async def seed_demo(services: Services) -> None:
    """Idempotent: running the demo twice leaves one copy of everything."""
    async with services.unit_of_work() as uow:
        await seed_demo_shop(uow.session, now=services.clock.now())
        await seed_demo_faq(uow.session, services.knowledge)
        for username, password, role, name in DEMO_ACCOUNTS:
            exists = await uow.session.scalar(
                select(Account.id).where(Account.username == username)
            )
            if exists is None:
                await create_account(
                    uow.session,
                    services.hasher,
                    username=username,
                    password=password,
                    role=role,
                    display_name=name,
                    skills=DEMO_SKILLS.get(username, []),
                )


# Children first: the demo shop's rows, in an order the foreign keys accept.
SHOP_TABLES = (
    ShopProposal,
    ShopAction,
    ShopTrackingEvent,
    ShopOrderItem,
    ShopOrder,
    ShopCustomer,
    ShopProduct,
)


async def reset_demo_shop(services: Services) -> None:
    """Every demo customer's orders as freshly seeded (dated from now): refunded, cancelled
    or returned cases can be tried again. Conversations and accounts stay."""
    async with services.unit_of_work() as uow:
        for table in SHOP_TABLES:
            await uow.session.execute(delete(table))
        await seed_demo_shop(uow.session, now=uow.now())
