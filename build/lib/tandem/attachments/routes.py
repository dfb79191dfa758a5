"""Attachment HTTP routes: a customer uploads a photo or video as a message; the people
allowed to see it fetch it (docs/api.md, "Attachments")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tandem.attachments import service
from tandem.attachments.media import Rejected
from tandem.attachments.storage import AttachmentStore, build_store
from tandem.attachments.wording import rejection_text
from tandem.core.errors import NotFound, TandemError
from tandem.deps import SESSION_COOKIE, BearerDep, ServicesDep
from tandem.identity.service import account_for_token, principal_of
from tandem.services import Services

router = APIRouter(tags=["attachments"])
STORE = "attachment_store"


class AttachmentRefused(TandemError):
    """A file we will not keep, said in the customer's language."""

    def __init__(self, rejected: Rejected, language: str) -> None:
        super().__init__(rejection_text(rejected, language))
        self.code = rejected.code
        self.status_code = 413 if rejected.code.endswith("too_large") else 422


def store_of(services: Services) -> AttachmentStore:
    """The store the settings name, built once per app (kept with the other services)."""
    store = services.extras.get(STORE)
    if store is None:
        store = services.extras[STORE] = build_store(services.settings)
    return store


async def _content(
    attachment_id: str, request: Request, services: Services, bearer: str | None, thumb: bool
) -> Response:
    async with services.sessions() as session:
        staff = None
        staff_token = bearer or request.cookies.get(SESSION_COOKIE)
        if staff_token:
            account = await account_for_token(session, staff_token)
            staff = principal_of(account) if account is not None else None
        attachment = await service.require_viewable(
            session, attachment_id, customer_token=bearer, staff=staff
        )
    key = attachment.thumbnail_key if thumb else attachment.storage_key
    if key is None:
        raise NotFound("this attachment has no thumbnail: fetch the attachment itself")
    try:
        data = await store_of(services).get(key)
    except KeyError:
        raise NotFound("the file of this attachment is missing from the store") from None
    return Response(
        data,
        media_type="image/jpeg" if thumb else attachment.content_type,
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        },
    )


@router.get("/api/v1/attachments/{attachment_id}")
async def attachment_content(
    attachment_id: str, request: Request, services: ServicesDep, bearer: BearerDep
) -> Response:
    """The file (a clean re-encoded image, or the video) for the conversation's customer
    (Bearer customer token), the agent who owns the conversation, or a supervisor."""
    return await _content(attachment_id, request, services, bearer, thumb=False)


@router.get("/api/v1/attachments/{attachment_id}/thumbnail")
async def attachment_thumbnail(
    attachment_id: str, request: Request, services: ServicesDep, bearer: BearerDep
) -> Response:
    """A small JPEG of an image attachment (same access as the attachment)."""
    return await _content(attachment_id, request, services, bearer, thumb=True)


__all__ = ["router"]
