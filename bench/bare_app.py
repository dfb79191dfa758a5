"""The baseline for `bench.load`: the least a chat endpoint can do on the same stack.

FastAPI + SQLAlchemy (async, SQLite WAL or PostgreSQL) under the same uvicorn: `POST /messages`
inserts one row and fans it out to every connected `WS /events` client; that is all. Run as
`uvicorn bench.bare_app:app`, with `BARE_DATABASE_URL` (default: a SQLite file in the cwd).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel
from sqlalchemy import DateTime, String, event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bare_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


URL = os.environ.get("BARE_DATABASE_URL", "sqlite+aiosqlite:///bare.db")
engine = create_async_engine(URL)
if URL.startswith("sqlite"):

    @event.listens_for(engine.sync_engine, "connect")
    def _wal(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


sessions = async_sessionmaker(engine, expire_on_commit=False)
listeners: set[asyncio.Queue[dict[str, object]]] = set()


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


class MessageIn(BaseModel):
    conversation: str
    text: str


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/messages", status_code=201)
async def post_message(body: MessageIn) -> dict[str, object]:
    async with sessions() as session, session.begin():
        row = Row(conversation=body.conversation, text=body.text, created_at=datetime.now(UTC))
        session.add(row)
        await session.flush()
        out: dict[str, object] = {"id": row.id, "conversation": row.conversation, "text": row.text}
    for queue in listeners:
        queue.put_nowait(out)
    return out


@app.websocket("/events")
async def events(websocket: WebSocket) -> None:
    await websocket.accept()
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    listeners.add(queue)
    try:
        await websocket.send_json({"type": "ready"})
        while True:
            await websocket.send_json(await queue.get())
    except WebSocketDisconnect:
        pass
    finally:
        listeners.discard(queue)
