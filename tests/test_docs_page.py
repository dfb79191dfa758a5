"""/docs works without the internet: the page and every file it loads come from our server."""

from __future__ import annotations

import re

import httpx


async def test_swagger_ui_is_served_locally(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert assets, page.text
    # Nothing from a CDN: every asset is a path on this server, and it is there.
    assert all(a.startswith("/") for a in assets), assets
    for asset in assets:
        r = await client.get(asset)
        assert r.status_code == 200, asset
    js = await client.get("/static/swagger/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in js.text
    assert page.text.count("/openapi.json") == 1
