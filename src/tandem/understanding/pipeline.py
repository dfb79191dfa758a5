"""The understanding step: one message in, one Analysis out. Pure and fast (about a
millisecond or two per message on two cores): the engine calls it on every turn.

A model directory holds three sub-directories written by `tandem nlu train` or
`python -m tandem.understanding.build`: `intent/`, `emotion/`, `abuse/`, and optionally
`products.json` (a JSON list of the shop's product names, for entity extraction).
"""

from __future__ import annotations

import json
import pathlib
from collections import Counter

from tandem.understanding.abuse import AbuseModel
from tandem.understanding.emotion import EmotionModel, intensity_cues
from tandem.understanding.entities import DEFAULT_PRODUCTS, ProductMatcher, extract_entities
from tandem.understanding.features import FeatureConfig, extract
from tandem.understanding.intent import IntentModel
from tandem.understanding.linear import TextClassifier
from tandem.understanding.normalize import detect_language, normalize
from tandem.understanding.types import Analysis, Emotion

DEMO_MODEL_DIR = pathlib.Path(__file__).parent / "models"
PRODUCTS_FILE = "products.json"


class Understanding:
    def __init__(
        self,
        intent: IntentModel,
        emotion: EmotionModel,
        abuse: AbuseModel,
        products: ProductMatcher | None = None,
    ) -> None:
        self.intent_model = intent
        self.emotion_model = emotion
        self.abuse_model = abuse
        self.products = products or ProductMatcher()
        self.intent_labels: tuple[str, ...] = intent.labels

    def analyze(self, text: str) -> Analysis:
        normalized = normalize(text)
        # The three models usually share one feature configuration: extract features once.
        features: dict[FeatureConfig, Counter[str]] = {}

        def counts(clf: TextClassifier) -> Counter[str]:
            cfg = clf.vectorizer.cfg
            if cfg not in features:
                features[cfg] = extract(normalized, cfg)
            return features[cfg]

        intent = self.intent_model.predict(normalized, counts(self.intent_model.classifier))
        abuse = self.abuse_model.analyze(normalized, text, counts(self.abuse_model.classifier))
        emotion = self.emotion_model.predict(
            normalized, text, counts(self.emotion_model.classifier)
        )
        if abuse.is_abusive and emotion.label not in ("anger", "anxiety"):
            # Someone insulting or threatening the agent is hostile, whatever the wording.
            emotion = Emotion("anger", round(max(0.6, 0.5 + 0.5 * intensity_cues(text)), 3))
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
        )


def load_understanding(model_dir: pathlib.Path | None = None) -> Understanding:
    """Load the three models from `model_dir` (None: the demo shop's models in the package)."""
    root = model_dir if model_dir is not None else DEMO_MODEL_DIR
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
    return Understanding(
        IntentModel.load(root / "intent"),
        EmotionModel.load(root / "emotion"),
        AbuseModel.load(root / "abuse"),
        ProductMatcher(names),
    )
