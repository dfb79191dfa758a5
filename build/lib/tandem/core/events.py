"""Every realtime event, typed: one pydantic model and one constructor per event type, and one
registry (`EVENT_TYPES`, `parse_event`). docs/events.md documents each of them.

The same objects travel everywhere: staged on the unit of work, through the in-process hub or
Redis (as JSON, parsed back here), into the event log, and out of the WebSocket as JSON. The
JSON is the shape the browser pages read (`web/static/*.js`).

Conversation events carry the conversation id and its monotonic `seq` (resumable); desk events
(presence, wellbeing, queue changes, the stream's ready mark) carry no number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- what conversation events carry --------------------------------------------------------------


class QuickReplyData(_Strict):
    label: str
    payload: str


class AttachmentData(_Strict):
    """A photo or video on a message (docs/api.md, "Attachments")."""

    id: str
    kind: str
    content_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    url: str
    thumbnail_url: str | None = None


class MessageData(_Strict):
    """A message as the API shows it. The desk's copy adds how it masks abusive words."""

    id: str
    seq: int
    author: str
    text: str
    payload: str | None
    quick_replies: list[QuickReplyData] | None
    client_msg_id: str | None
    agent_name: str | None
    created_at: datetime
    attachments: list[AttachmentData] | None = None
    # Only in the desk stream's copy of a customer message.
    masked: bool | None = None
    segments: list[dict[str, Any]] | None = None
    abuse_kinds: list[str] | None = None
    emotion: str | None = None


class StateData(_Strict):
    state: str
    reason: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    how: str | None = None
    ticket: bool | None = None
    resolved_by: str | None = None


class OpenedData(_Strict):
    state: str


class QueueData(_Strict):
    position: int
    eta_seconds: int


class RatedData(_Strict):
    rating: str
    comment: str | None


class FlaggedData(_Strict):
    reason: str


class Empty(_Strict):
    pass


class Sequenced(_Strict):
    conversation_id: str
    seq: int
    at: datetime


class ConversationOpened(Sequenced):
    type: Literal["conversation.opened"] = "conversation.opened"
    data: OpenedData


class MessageCreated(Sequenced):
    type: Literal["message.created"] = "message.created"
    data: MessageData


class ConversationStateChanged(Sequenced):
    type: Literal["conversation.state_changed"] = "conversation.state_changed"
    data: StateData


class QueueUpdated(Sequenced):
    type: Literal["queue.updated"] = "queue.updated"
    data: QueueData


class ConversationFlagged(Sequenced):
    type: Literal["conversation.flagged"] = "conversation.flagged"
    data: FlaggedData


class RatingRequested(Sequenced):
    type: Literal["conversation.rating_requested"] = "conversation.rating_requested"
    data: Empty = Empty()


class ConversationRated(Sequenced):
    type: Literal["conversation.rated"] = "conversation.rated"
    data: RatedData


class TypingData(_Strict):
    author: str
    active: bool
    name: str | None = None


class Typing(_Strict):
    """Ephemeral: published on the conversation's topic with no number, never logged, never
    replayed (a reconnecting client has no use for old typing)."""

    type: Literal["typing"] = "typing"
    conversation_id: str
    data: TypingData
    at: datetime


# --- desk events ---------------------------------------------------------------------------------


class AgentPresenceChanged(_Strict):
    type: Literal["agent.presence_changed"] = "agent.presence_changed"
    agent_id: str
    presence: str
    break_until: datetime | None = None


class BreakSuggested(_Strict):
    type: Literal["wellbeing.break_suggested"] = "wellbeing.break_suggested"
    agent_id: str
    reasons: list[str]
    exposure: float


class WellbeingAlert(_Strict):
    type: Literal["wellbeing.alert"] = "wellbeing.alert"
    agent_id: str
    level: str
    reasons: list[str]
    exposure: float


class QueueChanged(_Strict):
    type: Literal["queue.changed"] = "queue.changed"


class DeskReady(_Strict):
    type: Literal["desk.ready"] = "desk.ready"


ConversationEvent = (
    ConversationOpened
    | MessageCreated
    | ConversationStateChanged
    | QueueUpdated
    | ConversationFlagged
    | RatingRequested
    | ConversationRated
)
DeskEvent = AgentPresenceChanged | BreakSuggested | WellbeingAlert | QueueChanged | DeskReady
Event = ConversationEvent | DeskEvent | Typing

EVENT_TYPES: dict[str, type[BaseModel]] = {
    model.model_fields["type"].default: model
    for model in (
        ConversationOpened,
        MessageCreated,
        ConversationStateChanged,
        QueueUpdated,
        ConversationFlagged,
        RatingRequested,
        ConversationRated,
        Typing,
        AgentPresenceChanged,
        BreakSuggested,
        WellbeingAlert,
        QueueChanged,
        DeskReady,
    )
}
CONVERSATION_EVENT_TYPES = frozenset(
    name for name, model in EVENT_TYPES.items() if issubclass(model, Sequenced)
)
_ANY_EVENT: TypeAdapter[Event] = TypeAdapter(Annotated[Event, Field(discriminator="type")])


def parse_event(raw: dict[str, Any] | str | bytes) -> Event:
    """An event from its JSON (Redis, the log): raises pydantic's ValidationError for anything
    that is not one of the registered types."""
    if isinstance(raw, str | bytes):
        return _ANY_EVENT.validate_json(raw)
    return _ANY_EVENT.validate_python(raw)


def wire(event: Event) -> dict[str, Any]:
    """The JSON a client receives. Fields that were never set (the desk-only fields of a
    message, an absent reason) are left out, as before events were typed."""
    return {"type": event.type, **event.model_dump(mode="json", exclude_unset=True)}


def conversation_event(
    type_: str, conversation_id: str, seq: int, data: dict[str, Any], at: datetime
) -> ConversationEvent:
    """One constructor for every conversation event: `type_` picks the model, which checks
    `data` (a key it does not know is an error, not a silent extra)."""
    if type_ not in CONVERSATION_EVENT_TYPES:
        raise ValueError(f"unknown conversation event type {type_!r}")
    event = parse_event(
        {"type": type_, "conversation_id": conversation_id, "seq": seq, "data": data, "at": at}
    )
    assert not isinstance(event, DeskEvent | Typing)
    return event


def typing(
    conversation_id: str, author: str, active: bool, at: datetime, name: str | None = None
) -> Typing:
    return Typing(
        conversation_id=conversation_id,
        data=TypingData(author=author, active=active, name=name),
        at=at,
    )


def presence_changed(
    agent_id: str, presence: str, break_until: datetime | None = None
) -> AgentPresenceChanged:
    return AgentPresenceChanged(agent_id=agent_id, presence=presence, break_until=break_until)


def break_suggested(agent_id: str, reasons: list[str], exposure: float) -> BreakSuggested:
    return BreakSuggested(agent_id=agent_id, reasons=reasons, exposure=round(exposure, 2))


def wellbeing_alert(
    agent_id: str, level: str, reasons: list[str], exposure: float
) -> WellbeingAlert:
    return WellbeingAlert(
        agent_id=agent_id, level=level, reasons=reasons, exposure=round(exposure, 2)
    )


def queue_changed() -> QueueChanged:
    return QueueChanged()


def desk_ready() -> DeskReady:
    return DeskReady()
