"""A tiny shop backend speaking the docs/shop-adapter.md contract, for the HTTP adapter tests.

Runs a real HTTP server on 127.0.0.1 (a free port) in a thread. The listening socket is bound
when the server object is created, so it accepts requests as soon as `start()` returns.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tandem.shop.types import Order, OrderStatus, TrackingEvent

_ROUTE = re.compile(
    r"^/api/customers/(?P<cid>[^/]+)"
    r"(?:/orders(?:/(?P<oid>[^/]+)(?:/(?P<rest>tracking|actions/[a-z-]+))?)?)?$"
)


class FakeShop:
    def __init__(self, orders: list[Order], events: dict[str, list[TrackingEvent]]) -> None:
        self.orders = {o.order_id: o for o in orders}
        self.events = events
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        # Misbehaviour switch: answer any order id regardless of its customer.
        self.leak_other_customers = False
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        m = _ROUTE.match(path)
        if not m:
            return 404, {"error": "not_found", "message": "no such path"}
        cid, oid, rest = m["cid"], m["oid"], m["rest"]
        if oid is None and path.endswith("/orders"):
            mine = [o for o in self.orders.values() if o.customer_id == cid]
            return 200, {"orders": [o.model_dump(mode="json") for o in mine]}
        if oid is None:
            if not any(o.customer_id == cid for o in self.orders.values()):
                return 404, {"error": "not_found", "message": "no such customer"}
            return 200, {"external_id": cid, "name": "测试顾客", "tier": "normal"}
        order = self.orders.get(oid)
        if order is None or (order.customer_id != cid and not self.leak_other_customers):
            return 404, {"error": "not_found", "message": "no such order"}
        if rest is None and method == "GET":
            return 200, order.model_dump(mode="json")
        if rest == "tracking":
            return 200, {"events": [e.model_dump(mode="json") for e in self.events.get(oid, [])]}
        action = (rest or "").removeprefix("actions/")
        return self.act(order, action, body)

    def act(self, order: Order, action: str, body: dict[str, Any]) -> tuple[int, Any]:
        updates: dict[str, Any]
        if action == "refund":
            amount = int(body["amount_cents"])
            left = order.total_cents - order.refunded_cents
            if amount > left:
                return 409, {"error": "conflict", "message": "refund exceeds what was paid"}
            refunded = order.refunded_cents + amount
            updates = {"refunded_cents": refunded}
            if refunded == order.total_cents:
                updates["status"] = OrderStatus.REFUNDED
        elif action == "cancel":
            updates = {"status": OrderStatus.CANCELLED}
        elif action == "urge":
            updates = {"urge_count": order.urge_count + 1}
        elif action == "address":
            updates = {"address": body["address"]}
        else:
            return 409, {"error": "conflict", "message": f"{action} is not supported here"}
        new = Order.model_validate({**order.model_dump(mode="json"), **_jsonable(updates)})
        self.orders[order.order_id] = new
        return 200, new.model_dump(mode="json")


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, OrderStatus) else v) for k, v in d.items()}


@contextmanager
def running(shop: FakeShop) -> Iterator[str]:
    """Serve `shop` on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            with shop.lock:
                shop.requests.append((method, self.path, dict(self.headers)))
                status, data = shop.handle(method, self.path, body)
            payload = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
