"""The understanding step: one message in, one Analysis out. Pure: the engine calls it on
every turn.

The message is encoded once (multilingual-e5-small, see encoder.py) and every head reads that
one vector together with the message's n-gram features: intent + out-of-scope, dialogue act,
emotion, abuse. The vector rides on the Analysis so knowledge retrieval reuses it. When the
encoder is not running, the lexical heads (the same tasks, n-grams only) serve and
`encoder_status()` says so.

A model directory holds `intent/`, `emotion/`, `abuse/` and `act/` (lexical heads, written by
`tandem nlu train` or `python -m tandem.understanding.build`), optionally `encoder/<task>/`
(heads over [n-grams ; embedding]) and `products.json` (the shop's product names, for entity
extraction). A directory without `act/` (an older shop model) gets the act from a rule over
the intent.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.understanding.abuse import AbuseModel
from tandem.understanding.act import ActModel, ActResult
from tandem.understanding.emotion import EmotionModel, intensity_cues
from tandem.understanding.encoder import Encoder, NullEncoder, shared_encoder
from tandem.understanding.entities import DEFAULT_PRODUCTS, ProductMatcher, extract_entities
from tandem.understanding.features import FeatureConfig, extract
from tandem.understanding.intent import IntentModel
from tandem.understanding.linear import TextClassifier
from tandem.understanding.normalize import detect_language, normalize
from tandem.understanding.taxonomy import ORDER_INTENTS
from tandem.understanding.types import Analysis, Emotion

DEMO_MODEL_DIR = pathlib.Path(__file__).parent / "models"
PRODUCTS_FILE = "products.json"
ENCODER_HEADS_DIR = "encoder"

_SOCIAL = frozenset({"greeting", "thanks", "bye"})
_ASKS = re.compile(
    r"[?？吗嘛呢么]|怎么|如何|多久|多少|哪|什么|是否|能不能|可不可以|how|what|when|where|which|can i|do you|is it|does"
)


def rule_act(intent: str, normalized: str) -> ActResult:
    """The act when no act model is available: social intents are chitchat, a complaint is a
    complaint, a message that asks is a question, anything else a request."""
    if intent in _SOCIAL:
        return ActResult("chitchat", 0.5)
    if intent == "complaint":
        return ActResult("complaint", 0.5)
    return ActResult("question" if _ASKS.search(normalized) else "request", 0.5)


@dataclass(frozen=True)
class Heads:
    """One model per task; `act` may be missing in an older model directory."""

    intent: IntentModel
    emotion: EmotionModel
    abuse: AbuseModel
    act: ActModel | None = None

    @property
    def reads_vector(self) -> bool:
        return self.intent.classifier.needs_vector


class Understanding:
    def __init__(
        self,
        intent: IntentModel,
        emotion: EmotionModel,
        abuse: AbuseModel,
        products: ProductMatcher | None = None,
        *,
        act: ActModel | None = None,
        encoder: Encoder | None = None,
        encoder_heads: Heads | None = None,
    ) -> None:
        self.lexical = Heads(intent, emotion, abuse, act)
        self.encoder: Encoder = encoder if encoder is not None else NullEncoder("not configured")
        self.encoder_heads = encoder_heads if self.encoder.available else None
        self.products = products or ProductMatcher()
        self.intent_labels: tuple[str, ...] = intent.labels

    @property
    def intent_model(self) -> IntentModel:
        """The intent model that serves (the encoder one when the encoder runs)."""
        return (self.encoder_heads or self.lexical).intent

    def encoder_status(self) -> str:
        """One line for the start-up log and /healthz: which models serve and why."""
        if self.encoder_heads is not None:
            return f"{self.encoder.status}; heads: intent, act, emotion, abuse"
        if self.encoder.available:
            return f"{self.encoder.status} (retrieval only: no encoder heads in the model folder)"
        return self.encoder.status

    def encode(self, text: str) -> npt.NDArray[np.float32] | None:
        """The embedding `analyze` would compute for `text` (cached), or None."""
        return self.encoder.encode(normalize(text))

    def analyze(self, text: str) -> Analysis:
        normalized = normalize(text)
        vector = self.encoder.encode(normalized) if self.encoder.available else None
        heads = (
            self.encoder_heads
            if (self.encoder_heads is not None and vector is not None)
            else self.lexical
        )
        head_vector = vector if heads is self.encoder_heads else None
        # The models usually share one feature configuration: extract features once.
        features: dict[FeatureConfig, Counter[str]] = {}

        def counts(clf: TextClassifier) -> Counter[str]:
            cfg = clf.vectorizer.cfg
            if cfg not in features:
                features[cfg] = extract(normalized, cfg)
            return features[cfg]

        intent = heads.intent.predict(normalized, counts(heads.intent.classifier), head_vector)
        abuse = heads.abuse.analyze(normalized, text, counts(heads.abuse.classifier), head_vector)
        emotion = heads.emotion.predict(
            normalized, text, counts(heads.emotion.classifier), head_vector
        )
        if heads.act is not None:
            act = heads.act.predict(
                normalized, counts(heads.act.classifier), head_vector, intent.proba
            )
        else:
            act = rule_act(intent.intent, normalized)
        if (
            heads is self.encoder_heads
            and act.act == "request"
            and intent.intent not in ORDER_INTENTS
        ):
            # A request to act is about an order. The encoder reads what a sentence is about
            # (a crab named in a refund request reads as a product question); when the words
            # say which order action is asked for, they decide.
            words = self.lexical.intent.predict(normalized, counts(self.lexical.intent.classifier))
            if words.intent in ORDER_INTENTS and words.confidence >= REQUEST_WORDS_SURE:
                intent = words
        if act.act == "request" and intent.out_of_scope:
            # A request asks the shop to act on an order or an account; an out-of-scope ask
            # ("book me a flight") is nothing the shop does: it is read as a question, which
            # the engine answers (declines), and never as something to act on.
            act = ActResult("question", act.confidence)
        if abuse.is_abusive and emotion.label not in ("anger", "anxiety"):
            # Someone insulting or threatening the agent is hostile, whatever the wording.
            emotion = Emotion("anger", round(max(0.6, 0.5 + 0.5 * intensity_cues(text)), 3))
        elif abuse.spans and act.act == "complaint" and emotion.label == "neutral":
            # Swearing at no one in a complaint ("妈的 又没货") is frustration, not calm.
            emotion = Emotion("anger", round(0.5 + 0.5 * intensity_cues(text), 3))
        return Analysis(
            text=text,
            normalized=normalized,
            language=detect_language(text),
            intent=intent.intent,
            confidence=intent.confidence,
            out_of_scope=intent.out_of_scope,
            intents=intent.top,
            emotion=emotion,
            abuse=abuse,
            entities=extract_entities(text, self.products),
            act=act.act,
            act_confidence=act.confidence,
            vector=vector,
        )


# How sure the lexical head must be of an order action to decide a request's intent.
REQUEST_WORDS_SURE = 0.5


def _load_heads(root: pathlib.Path) -> Heads:
    act_dir = root / "act"
    intent = IntentModel.load(root / "intent")
    act = ActModel.load(act_dir) if act_dir.is_dir() else None
    if (
        act is not None
        and act.intent is not None
        and act.intent.classes != intent.classifier.classes
    ):
        raise ValueError(
            f"{act_dir} reads the probabilities of another intent model than {root / 'intent'} "
            "(its intents differ): rebuild the act head after retraining the intent model "
            "(`python -m tandem.understanding.build --task act`)."
        )
    return Heads(intent, EmotionModel.load(root / "emotion"), AbuseModel.load(root / "abuse"), act)


# Loaded model folders, by folder and the size and time of each file in it: every app or
# simulator in the process that reads the same models shares one copy (they are read-only),
# and a retrained folder is read again.
_LOADED: dict[tuple[object, ...], Understanding] = {}


def _fingerprint(root: pathlib.Path) -> tuple[object, ...]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return (str(root.resolve()), *((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


def load_understanding(
    model_dir: pathlib.Path | None = None, encoder: Encoder | None = None
) -> Understanding:
    """Load the models from `model_dir` (None: the demo shop's models in the package).

    `encoder`: None uses the process-wide one (`shared_encoder`, switched off by
    TANDEM_ENCODER=off); pass `NullEncoder(reason)` for lexical models only."""
    root = model_dir if model_dir is not None else DEMO_MODEL_DIR
    if encoder is not None or not root.is_dir():
        return _load_understanding(root, encoder)
    key = _fingerprint(root)
    if key not in _LOADED:
        _LOADED.clear()  # one model set at a time is the common case: keep memory flat
        _LOADED[key] = _load_understanding(root, None)
    return _LOADED[key]


def _load_understanding(root: pathlib.Path, encoder: Encoder | None) -> Understanding:
    missing = [name for name in ("intent", "emotion", "abuse") if not (root / name).is_dir()]
    if missing:
        raise FileNotFoundError(
            f"{root} lacks the model folder(s) {', '.join(missing)}. Build the demo models with "
            "`python -m tandem.understanding.build`, or train each with "
            f"`tandem nlu train --task TASK --data TRAIN.jsonl --out {root}/TASK`."
        )
    names: list[str] = list(DEFAULT_PRODUCTS)
    products_path = root / PRODUCTS_FILE
    if products_path.is_file():
        names.extend(str(n) for n in json.loads(products_path.read_text(encoding="utf-8")))
    lexical = _load_heads(root)
    enc = encoder if encoder is not None else shared_encoder()
    encoder_heads = None
    enc_root = root / ENCODER_HEADS_DIR
    if enc.available and all((enc_root / t).is_dir() for t in ("intent", "emotion", "abuse")):
        encoder_heads = _load_heads(enc_root)
    return Understanding(
        lexical.intent,
        lexical.emotion,
        lexical.abuse,
        ProductMatcher(names),
        act=lexical.act,
        encoder=enc,
        encoder_heads=encoder_heads,
    )
