"""WebSocket helpers shared by the customer and desk streams."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect

from tandem.core.events import Event
from tandem.realtime.hub import Subscription


async def drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed at once."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


async def next_event(sub: Subscription, receiver: asyncio.Task[None]) -> Event | None:
    """The next published event, or None once the client has gone."""
    getter = asyncio.create_task(sub.get())
    done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
    if getter not in done:
        getter.cancel()
        return None
    return getter.result()
