"""WebSocket helpers shared by the customer and desk streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict

from starlette.websockets import WebSocket, WebSocketDisconnect

from tandem.core.events import Event, wire
from tandem.realtime.hub import Subscription

# The last events serialized, by identity: the hub hands one event object to every
# subscriber in the process, so twelve open desks cost one serialization, not twelve.
_WIRED: OrderedDict[int, tuple[Event, str]] = OrderedDict()
WIRED_KEPT = 256


async def drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed at once."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


async def next_event(sub: Subscription, receiver: asyncio.Task[None]) -> Event | None:
    """The next published event, or None once the client has gone (`receiver`, the task
    reading the socket, has ended). Every open desk pays this per event: no task of its own,
    only the subscription's queue."""
    if receiver.done():
        return None
    sub.ends_with(receiver)
    return await sub.next()


def wire_text(event: Event) -> str:
    """The event as the JSON text a client receives (what `send_json(wire(event))` sends),
    computed once per event object however many sockets send it."""
    hit = _WIRED.get(id(event))
    if hit is not None and hit[0] is event:
        return hit[1]
    text = json.dumps(wire(event), ensure_ascii=False, separators=(",", ":"))
    # The event is kept with its text, so its id cannot be reused while the entry lives.
    _WIRED[id(event)] = (event, text)
    if len(_WIRED) > WIRED_KEPT:
        _WIRED.popitem(last=False)
    return text
