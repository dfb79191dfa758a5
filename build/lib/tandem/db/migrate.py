"""Apply the schema migrations. Called by `tandem db upgrade`, `tandem serve` and `tandem demo`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from tandem.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["settings"] = settings
    return cfg


async def upgrade(settings: Settings, engine: AsyncEngine) -> None:
    """Bring the database to the newest schema (every package's head)."""
    cfg = alembic_config(settings)

    def _upgrade(connection: Connection) -> None:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")

    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
