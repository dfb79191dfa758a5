"""Where conversations came from, and the blocks set on contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.clock import utcnow
from tandem.db.base import Base


class ContactOrigin(Base):
    """One row per conversation opened: the address and (signed) customer behind it."""

    __tablename__ = "contact_origins"
    __table_args__ = (
        Index("ix_contact_origins_ip_at", "ip", "created_at"),
        Index("ix_contact_origins_customer_at", "customer_external_id", "created_at"),
    )

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    ip: Mapped[str] = mapped_column(String(64))
    customer_external_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactBlock(Base):
    """A supervisor's block on a customer id or an IP address. Lifting it keeps the row."""

    __tablename__ = "contact_blocks"
    __table_args__ = (Index("ix_contact_blocks_kind_value", "kind", "value", "active"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # customer | ip
    value: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[str | None] = mapped_column(String(40))
    blocked_by: Mapped[str] = mapped_column(String(40))
    blocked_at: Mapped[datetime] = mapped_column()
    unblocked_by: Mapped[str | None] = mapped_column(String(40))
    unblocked_at: Mapped[datetime | None] = mapped_column()
    unblock_reason: Mapped[str | None] = mapped_column(Text)
