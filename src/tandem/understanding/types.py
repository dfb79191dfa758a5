"""The values the understanding step returns. Frozen, JSON-ready, shared with the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

EMOTION_LABELS: tuple[str, ...] = ("anger", "anxiety", "sadness", "satisfaction", "neutral")
ABUSE_KINDS: tuple[str, ...] = (
    "insult",
    "profanity",
    "threat",
    "harassment",
    "discrimination",
    "expletive",
)
# Swearing aimed at no one ("卧槽", "wtf"): masked for the agent, abusive only when aimed.
EXPLETIVE = "expletive"
ENTITY_KINDS: tuple[str, ...] = ("order_id", "tracking_no", "phone", "amount", "date", "product")
OOS = "oos"
ACT_LABELS: tuple[str, ...] = ("question", "request", "complaint", "chitchat")


@dataclass(frozen=True)
class IntentScore:
    label: str
    confidence: float


@dataclass(frozen=True)
class Emotion:
    """`label` is one of EMOTION_LABELS; `intensity` is 0..1 (0 for neutral)."""

    label: str
    intensity: float


@dataclass(frozen=True)
class Span:
    """Half-open [start, end) offsets into the ORIGINAL text the caller passed in."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Abuse:
    is_abusive: bool
    kinds: tuple[str, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Entity:
    """`text` is exactly original[start:end]; `value` is the canonical form (digits only, ISO date...)."""

    kind: str
    text: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Analysis:
    """What the understanding step saw in one message.

    `intent` is the best in-scope label, or "oos" when the message is out of scope (the `oos`
    class won, or the best in-scope probability is under the model's floor). `confidence` is
    the calibrated probability of the best in-scope label in both cases, and `intents` lists
    the three likeliest in-scope labels (the topics to offer in a clarifying question).

    `act` is the dialogue act (one of ACT_LABELS): `question` asks about a rule or a fact
    ("退货运费谁出"), `request` asks the shop to act ("帮我把这单退了"), `complaint` voices
    dissatisfaction, `chitchat` is small talk; `act_confidence` is its calibrated probability.
    Asking how something works is a question, never a request: act only on `request`.

    `vector` is the message's unit-length sentence embedding (None when the encoder is not
    running). Every head read it, and knowledge retrieval takes it
    (`KnowledgeIndex.search(text, vector=analysis.vector)`) so the message is encoded once. It
    is left out of `to_dict()`, equality and repr: a recorded decision keeps what was
    understood, not 384 floats.
    """

    text: str
    normalized: str
    language: str
    intent: str
    confidence: float
    out_of_scope: bool
    intents: tuple[IntentScore, ...]
    emotion: Emotion
    abuse: Abuse
    entities: tuple[Entity, ...]
    act: str = "question"
    act_confidence: float = 0.0
    vector: npt.NDArray[np.float32] | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, used when an engine decision is recorded."""
        return {
            "text": self.text,
            "normalized": self.normalized,
            "language": self.language,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "out_of_scope": self.out_of_scope,
            "act": self.act,
            "act_confidence": round(self.act_confidence, 4),
            "intents": [
                {"label": s.label, "confidence": round(s.confidence, 4)} for s in self.intents
            ],
            "emotion": {"label": self.emotion.label, "intensity": round(self.emotion.intensity, 3)},
            "abuse": {
                "is_abusive": self.abuse.is_abusive,
                "kinds": list(self.abuse.kinds),
                "spans": [
                    {"start": s.start, "end": s.end, "kind": s.kind} for s in self.abuse.spans
                ],
            },
            "entities": [
                {"kind": e.kind, "text": e.text, "value": e.value, "start": e.start, "end": e.end}
                for e in self.entities
            ],
        }
