"""Attachments through the API: type from the bytes, limits, metadata stripped, who may see
a file, evidence for a quality claim, and errors in the customer's language (issue 12, class 8)."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from tandem.identity.signing import sign_external_id
from tandem.shop.models import ShopAction
from tandem.shop.seed import SITUATIONS
from tests.attachments.images import (
    GPS_IFD,
    MAKE,
    corrupt_jpeg,
    photo_with_exif,
    png_with_alpha,
    tiny_mp4,
)

pytestmark = pytest.mark.asyncio


def _file(data: bytes, name: str = "photo.jpg", ctype: str = "image/jpeg") -> dict[str, object]:
    return {"file": (name, data, ctype)}


async def _upload(customer, data: bytes, text: str = "", **kw: str):  # type: ignore[no-untyped-def]
    fields = {"text": text, "client_msg_id": kw.pop("client_msg_id", uuid.uuid4().hex)}
    return await customer.client.post(
        f"/api/v1/conversations/{customer.id}/attachments",
        files=_file(data, kw.get("name", "photo.jpg"), kw.get("ctype", "image/jpeg")),
        data=fields,
        headers=customer.headers,
    )


async def _signed(open_customer, server, situation: str, language: str = "zh"):  # type: ignore[no-untyped-def]
    external_id = SITUATIONS[situation].external_id
    secret = server.services.settings.widget_secret
    return await open_customer(
        {
            "customer": {
                "external_id": external_id,
                "signature": sign_external_id(secret, external_id),
            },
            "language": language,
        }
    )


async def test_a_photo_is_kept_upright_and_without_exif(open_customer) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    r = await _upload(customer, photo_with_exif(60, 30, orientation=6))
    assert r.status_code == 201, r.text
    message = r.json()["message"]
    assert message["author"] == "customer"
    assert message["text"] == "[图片]"
    [ref] = message["attachments"]
    assert ref["kind"] == "image" and ref["content_type"] == "image/jpeg"
    # Orientation 6 means "turn 90° clockwise": the 60 x 30 photo stands up as 30 x 60.
    assert (ref["width"], ref["height"]) == (30, 60)
    # A bare photo gets an answer asking what happened; the engine does not guess.
    assert "收到您的图片" in r.json()["replies"][0]["text"]

    got = await customer.client.get(ref["url"], headers=customer.headers)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(got.content))
    assert image.size == (30, 60)
    exif = image.getexif()
    assert len(exif) == 0 and MAKE not in exif and not exif.get_ifd(GPS_IFD)
    assert b"SpyCam" not in got.content
    # Turned clockwise, the left (red) half is now on top.
    top = image.convert("RGB").getpixel((15, 5))
    assert isinstance(top, tuple) and top[0] > 150 and top[2] < 100

    thumb = await customer.client.get(ref["thumbnail_url"], headers=customer.headers)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"

    # It is part of the conversation's history, for the customer and for the desk.
    history = await customer.client.get(
        f"/api/v1/conversations/{customer.id}/messages", headers=customer.headers
    )
    assert history.json()["messages"][0]["attachments"][0]["id"] == ref["id"]


async def test_the_type_comes_from_the_bytes_not_the_name(open_customer) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    # A PNG called .jpg and sent as text/plain is a PNG (kept with its transparency).
    r = await _upload(customer, png_with_alpha(), name="x.jpg", ctype="text/plain")
    assert r.status_code == 201, r.text
    assert r.json()["message"]["attachments"][0]["content_type"] == "image/png"
    # A script named photo.jpg with an image content type is refused.
    r = await _upload(customer, b"#!/bin/sh\nrm -rf /\n", name="photo.jpg", ctype="image/jpeg")
    assert r.status_code == 422
    assert r.json()["error"] == "unsupported_type"
    assert "JPG" in r.json()["message"] and "不支持" in r.json()["message"]


async def test_a_short_video_is_kept_as_a_video(open_customer) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    r = await _upload(customer, tiny_mp4(), text="视频里能看到裂缝", name="clip.bin", ctype="x/y")
    assert r.status_code == 201, r.text
    [ref] = r.json()["message"]["attachments"]
    assert ref["kind"] == "video" and ref["content_type"] == "video/mp4"
    assert ref["thumbnail_url"] is None
    assert r.json()["message"]["text"] == "视频里能看到裂缝"
    got = await customer.client.get(ref["url"], headers=customer.headers)
    assert got.content == tiny_mp4() and got.headers["content-type"] == "video/mp4"


async def test_bad_files_are_refused_in_the_customers_language_and_nothing_is_lost(
    open_customer, services
) -> None:  # type: ignore[no-untyped-def]
    services.settings.attachment_max_image_bytes = 2000
    customer = await open_customer()
    sent = await customer.say("你好，我想问一下")
    assert sent.status_code == 201
    cases = [
        (b"", 422, "empty", "空的"),
        (corrupt_jpeg(), 422, "corrupt_image", "打不开"),
        (photo_with_exif(400, 300), 413, "image_too_large", "不要超过"),
    ]
    for data, status, code, words in cases:
        r = await _upload(customer, data)
        assert r.status_code == status, (code, r.text)
        assert r.json()["error"] == code
        assert words in r.json()["message"]
    english = await open_customer({"language": "en"})
    r = await _upload(english, b"")
    assert r.status_code == 422 and "empty" in r.json()["message"]
    history = await customer.client.get(
        f"/api/v1/conversations/{customer.id}/messages", headers=customer.headers
    )
    texts = [m["text"] for m in history.json()["messages"]]
    assert texts[0] == "你好，我想问一下"
    assert not any(m["attachments"] for m in history.json()["messages"])
    # Nothing refused was written to the store either.
    stored = [p for p in (services.settings.data_dir / "attachments").rglob("*") if p.is_file()]
    assert stored == []


async def test_the_same_upload_twice_is_stored_once(open_customer) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    first = await _upload(customer, photo_with_exif(), client_msg_id="up-1")
    again = await _upload(customer, photo_with_exif(), client_msg_id="up-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    history = await customer.client.get(
        f"/api/v1/conversations/{customer.id}/messages", headers=customer.headers
    )
    assert sum(1 for m in history.json()["messages"] if m["attachments"]) == 1


async def test_only_the_customer_the_owning_agent_and_supervisors_see_a_file(
    open_customer, server, client, agent_client
) -> None:  # type: ignore[no-untyped-def]
    owner = await open_customer()
    other = await open_customer()
    r = await _upload(owner, photo_with_exif(), text="这是坏掉的地方")
    url = r.json()["message"]["attachments"][0]["url"]
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=other.headers)).status_code == 403
    # agent1 does not own the conversation yet: refused.
    assert (await agent_client.get(url)).status_code == 403
    async with httpx.AsyncClient(base_url=server.url) as lead:
        await lead.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
        assert (await lead.get(url)).status_code == 200
    # Once the conversation is handed to agent1 (online, so assigned at once), they see it.
    await owner.say("转人工")
    detail = await agent_client.get(f"/api/v1/desk/conversations/{owner.id}")
    assert detail.json()["conversation"]["assigned_agent_id"] is not None
    assert (await agent_client.get(url)).status_code == 200
    # The desk's transcript carries the attachment, and so does the hand-off packet.
    messages = detail.json()["messages"]
    assert any(m["attachments"] and m["attachments"][0]["url"] == url for m in messages)
    packet = detail.json()["conversation"]["handoff_packet"]
    assert [a["url"] for a in packet["attachments"]] == [url]
    assert (
        await client.get("/api/v1/attachments/att_nope", headers=owner.headers)
    ).status_code == 404


async def test_a_photo_is_the_evidence_a_quality_claim_waits_for(open_customer, server) -> None:  # type: ignore[no-untyped-def]
    customer = await _signed(open_customer, server, "fresh_food_delivered")
    r = await customer.say("收到的大闸蟹死了好几只，我要退款")
    assert r.status_code == 201
    assert any("照片" in m["text"] for m in r.json()["replies"])
    r = await _upload(customer, photo_with_exif())
    assert r.status_code == 201, r.text
    replies = " ".join(m["text"] for m in r.json()["replies"])
    assert "已收到凭证" in replies, replies
    assert r.json()["conversation"]["state"] == "bot"
    async with server.services.sessions() as session:
        rows = (
            await session.scalars(
                select(ShopAction).where(ShopAction.conversation_id == customer.id)
            )
        ).all()
    outcomes = sorted((a.outcome, a.rule) for a in rows)
    assert ("allowed", "quality_return") in outcomes
    allowed = next(a for a in rows if a.outcome == "allowed")
    [url] = allowed.details["request"]["evidence_urls"]
    assert url == r.json()["message"]["attachments"][0]["url"]


async def test_a_photo_sent_first_counts_when_the_claim_comes(open_customer, server) -> None:  # type: ignore[no-untyped-def]
    customer = await _signed(open_customer, server, "fresh_food_delivered")
    r = await _upload(customer, photo_with_exif(), text="收到的大闸蟹死了好几只，我要退款")
    assert r.status_code == 201, r.text
    replies = " ".join(m["text"] for m in r.json()["replies"])
    assert "已收到凭证" in replies, replies
