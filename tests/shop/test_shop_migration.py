"""Migration 0002_shop creates exactly the tables `tandem.shop.models` declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import tandem.tables  # noqa: F401  (every table on Base.metadata)
from tandem.db.base import Base


async def test_shop_migration_matches_the_models(
    shop_sessions: async_sessionmaker[AsyncSession],
) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with shop_sessions() as session:
        conn = await session.connection()
        differences = await conn.run_sync(diff)
        tables = await conn.run_sync(
            lambda c: set(c.dialect.get_table_names(c))  # type: ignore[no-any-return]
        )
    assert [d for d in differences if "shop_" in str(d)] == []
    assert {
        "shop_products",
        "shop_customers",
        "shop_orders",
        "shop_order_items",
        "shop_tracking_events",
        "shop_actions",
        "shop_proposals",
    } <= tables
