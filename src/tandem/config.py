"""Settings, built once at start-up and passed in. No environment is read at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "tandem"


class Settings(BaseSettings):
    """Every setting can be given as an environment variable `TANDEM_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # HMAC key a shop's page uses to vouch for its logged-in customer (see docs/api.md).
    widget_secret: str = "tandem-demo-widget-secret"
    # Customer signatures with a timestamp (`ts`) are accepted for this long.
    widget_signature_max_age_seconds: int = 600
    # Staff sessions end after this long without a request (and after 7 days in any case).
    session_idle_minutes: int = 30
    # Mark the desk's session cookie Secure (set when served over HTTPS, behind a proxy too).
    cookie_secure: bool = False
    # Who may frame the customer chat (the shops that embed the widget): a CSP source list.
    widget_frame_ancestors: str = "*"
    # Signs agent session cookies; generated into the data directory when not given.
    session_secret: str | None = None
    redis_url: str | None = None
    # Messages a customer token may send per minute.
    rate_limit_per_minute: int = 30
    max_message_chars: int = 2000
    # argon2 cost: the defaults are right for production, tests lower them.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Which shop adapter answers order questions: the demo shop in our database, or a shop's
    # own backend over HTTP (docs/shop-adapter.md).
    shop_adapter: Literal["demo", "http"] = "demo"
    shop_http_url: str | None = None
    shop_policy_file: Path | None = None
    # Knowledge and models the shop trained; None means the ones shipped with Tandem.
    nlu_model_dir: Path | None = None

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @property
    def sqlalchemy_url(self) -> str:
        """The async driver URL for the configured database (plain URLs are accepted)."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'tandem.db'}"
        return to_async_url(url)

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")


def to_async_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("postgresql+psycopg2://") or url.startswith("postgresql+psycopg://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url
