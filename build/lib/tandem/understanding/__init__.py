"""Understanding: what a customer message says and how it is said.

Owns text normalisation and personal-data masking, intent recognition with calibrated
confidence and out-of-scope detection, emotion with intensity, abuse with exact spans,
entity extraction, their training/evaluation, and the demo shop's shipped models.

Pure: imports numpy, scikit-learn (training), opencc, rjieba, pyahocorasick, safetensors and
tandem.core only; no web, database or network code. Model files are JSON + safetensors
(never pickle) and nothing is downloaded at run time.
"""

from tandem.understanding.normalize import mask_personal_data, normalize, to_simplified
from tandem.understanding.pipeline import Understanding, load_understanding
from tandem.understanding.types import Abuse, Analysis, Emotion, Entity, IntentScore, Span

__all__ = [
    "Abuse",
    "Analysis",
    "Emotion",
    "Entity",
    "IntentScore",
    "Span",
    "Understanding",
    "load_understanding",
    "mask_personal_data",
    "normalize",
    "to_simplified",
]
