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
    # Refuse the plain (never-expiring) customer signature: only `external_id.ts` ones.
    widget_require_timestamp: bool = False
    # Staff sessions end after this long without a request (and after 7 days in any case).
    session_idle_minutes: int = 30
    # Mark the desk's session cookie Secure (set when served over HTTPS, behind a proxy too).
    cookie_secure: bool = False
    # Who may frame the customer chat (the shops that embed the widget): a CSP source list.
    widget_frame_ancestors: str = "*"
    redis_url: str | None = None
    # Messages a customer token may send per minute.
    rate_limit_per_minute: int = 30
    max_message_chars: int = 2000
    # Largest request body outside uploads (a message is at most 2,000 characters).
    max_request_bytes: int = 256 * 1024
    # The dashboard's rollups are folded in the background this often (0: only when a request
    # finds them older than a minute, or on the refresh button).
    analytics_fold_seconds: int = Field(default=10, ge=0)
    # Server processes for `tandem serve` (PostgreSQL only: SQLite takes one writer process).
    workers: int = 1
    # SQLite's durability (WAL mode): "normal" loses nothing when the process crashes, but a
    # power cut may drop the last acknowledged transactions; "full" syncs every commit to disk.
    sqlite_synchronous: Literal["normal", "full"] = "normal"
    # argon2 cost: the defaults are right for production, tests lower them.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # json: one JSON object per line (for a log collector); text: for reading in a terminal.
    log_format: Literal["json", "text"] = "text"
    # Which shop adapter answers order questions: the demo shop in our database, or a shop's
    # own backend over HTTP (docs/shop-adapter.md).
    shop_adapter: Literal["demo", "http"] = "demo"
    shop_http_url: str | None = None
    shop_policy_file: Path | None = None
    # Knowledge and models the shop trained; None means the ones shipped with Tandem.
    nlu_model_dir: Path | None = None
    # The shop's name in the chat's welcome message.
    shop_name: str = "星选好物旗舰店"
    # Photos and short videos customers send as evidence (tandem.attachments): where they are
    # kept ("local": under data_dir/attachments; "s3": an S3-compatible bucket) and how big
    # one may be.
    attachment_store: Literal["local", "s3"] = "local"
    attachment_max_image_bytes: int = 10 * 1024 * 1024
    attachment_max_video_bytes: int = 30 * 1024 * 1024
    attachment_s3_bucket: str | None = None
    attachment_s3_endpoint_url: str | None = None
    attachment_s3_region: str = "us-east-1"
    # New conversations one signed customer, and one IP address (shoppers behind one
    # carrier NAT share it), may open per window; one only once a conversation of theirs
    # was flagged for abuse (tandem.contacts).
    new_conversations_per_customer: int = 10
    new_conversations_per_ip: int = 30
    new_conversations_after_abuse: int = 1
    new_conversation_window_seconds: int = 600
    # The optional LLM (docs/llm.md): off unless a base URL is given. It only rewords what the
    # engine chose; a fact guard stands between it and the customer.
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str = "qwen-plus"
    llm_timeout_seconds: float = 3.0
    llm_stream: bool = True
    # Spend per day (the shop's day), from the token prices below; None: no limit.
    llm_daily_budget_yuan: float | None = None
    llm_daily_budget_tokens: int | None = None
    llm_price_input_per_1k_tokens: float = 0.0
    llm_price_output_per_1k_tokens: float = 0.0
    # Channels (docs/channels.md). Standard Webhooks secrets look like "whsec_<base64>".
    webhook_inbound_secret: str | None = None
    webhook_outbound_url: str | None = None
    webhook_outbound_secret: str | None = None
    webhook_tolerance_seconds: int = 300
    webhook_retry_base_seconds: float = 2.0
    webhook_retry_max_seconds: float = 600.0
    webhook_max_attempts: int = 12
    # Email for tickets, callbacks and transcripts: off unless an SMTP host is given.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "Tandem <no-reply@tandem.local>"

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
