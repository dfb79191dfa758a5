import pathlib

from tandem.understanding.emotion import intensity_cues, train_emotion
from tandem.understanding.normalize import normalize
from tandem.understanding.pipeline import DEMO_MODEL_DIR

ROWS = {
    "anger": [
        "气死我了",
        "太过分了",
        "你们怎么回事",
        "this is ridiculous",
        "i'm so angry",
        "简直欺负人",
    ],
    "neutral": [
        "有货吗",
        "什么材质",
        "怎么付款",
        "do you have it in black",
        "how much is it",
        "几天到",
    ],
}


def test_louder_messages_are_more_intense() -> None:
    assert (
        intensity_cues("快点发货")
        < intensity_cues("快点发货！！！")
        < intensity_cues("马上给我发货！！！😡😡 NOW")
    )


def test_emotion_label_and_intensity() -> None:
    texts = [normalize(t) for rows in ROWS.values() for t in rows]
    labels = [label for label, rows in ROWS.items() for _ in rows]
    model = train_emotion(texts, labels)
    calm = model.predict(normalize("有没有黑色"), "有没有黑色")
    assert calm.label == "neutral" and calm.intensity == 0.0
    mild = model.predict(normalize("太过分了"), "太过分了")
    loud = model.predict(normalize("太过分了！！！气死了"), "太过分了！！！气死了")
    assert mild.label == loud.label == "anger"
    assert 0.0 < mild.intensity < loud.intensity <= 1.0


def test_shipped_models_are_pickle_free() -> None:
    for task in ("intent", "emotion", "abuse"):
        files = {p.name for p in pathlib.Path(DEMO_MODEL_DIR, task).iterdir()}
        assert files == {"config.json", "vocab.json", "weights.safetensors"}
