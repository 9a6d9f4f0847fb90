"""Kind (bug, feature_request, complaint, praise, question, other) with a confidence, and sentiment in [-1, 1].

The default model is a small artefact (``models/kind-minibar-v1.npz``, a few KB) trained only on the Mini-BAR
reviews (MIT): two logistic regressions over the sentence embedding (problem report, feature request) and a
logistic regression of positive (4–5 stars) against negative (1–2 stars) reviews (sentiment = 2·P(positive) − 1). Rules add what the reviews cannot teach well: cue phrases for bugs and
requests, question form, and praise/complaint from sentiment when the item is neither a bug nor a request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

KINDS = ("bug", "feature_request", "complaint", "praise", "question", "other")
QUESTION_MARGIN = 0.2  # a question that is only mildly a bug or a request is treated as a question
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "kind-minibar-v1.npz"
FORMAT = "northstar-kind-1"

_BUG_CUES = re.compile(
    r"\b(crash\w*|bug\w*|error\w*|broken|freez\w*|fails?|failed|failing|glitch\w*|not working|doesn'?t work|"
    r"does not work|won'?t (?:load|open|sync|work)|can'?t (?:log ?in|login|sync|connect|open)|stopped working|"
    r"keeps? (?:crashing|closing|disconnecting)|no longer works?|plante|bogue|ne marche pas|ne fonctionne)\b",
    re.I,
)
_REQUEST_CUES = re.compile(
    r"\b(please add|add (?:a|an|the|support|option)|would (?:be|love) (?:nice|great|good|helpful)|"
    r"it would be (?:nice|great|good|helpful)|i wish|wish (?:list|there)|feature request|could you (?:add|make)|"
    r"should (?:have|add|allow)|option to|ability to|allow (?:us|me|users) to|support for|"
    r"ajouter|serait (?:bien|top|génial)|j'aimerais|il faudrait)\b",
    re.I,
)
_HOW_TO = re.compile(
    r"^\s*(how (?:do|can|to|does|should)|where (?:is|are|do|can)|what (?:is|are|does)|comment (?:faire|puis)|où)\b",
    re.I,
)
_QUESTION_START = re.compile(
    r"^\s*(how|what|why|when|where|which|who|can|could|is|are|do|does|did|will|would|should|may|am)\b", re.I
)


@dataclass(frozen=True)
class KindPrediction:
    kind: str
    confidence: float
    sentiment: float
    bug_probability: float
    request_probability: float


@dataclass
class KindModel:
    """Weights of the default model; ``predict`` combines them with the rules."""

    bug_weights: np.ndarray
    bug_bias: float
    request_weights: np.ndarray
    request_bias: float
    sentiment_weights: np.ndarray
    sentiment_bias: float
    bug_threshold: float = 0.5
    request_threshold: float = 0.5
    rule_weight: float = 1.5
    trained_on: str = ""
    #: "logistic": sentiment = 2·P(positive) − 1 from a classifier of positive vs negative reviews;
    #: "linear": a regression of the star rating, clipped to [−1, 1] (models saved before the classifier)
    sentiment_link: str = "linear"

    def save(self, path: Path) -> None:
        header = {
            "format": FORMAT,
            "bug_bias": self.bug_bias,
            "request_bias": self.request_bias,
            "sentiment_bias": self.sentiment_bias,
            "bug_threshold": self.bug_threshold,
            "request_threshold": self.request_threshold,
            "rule_weight": self.rule_weight,
            "trained_on": self.trained_on,
            "sentiment_link": self.sentiment_link,
        }
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                header=np.array(json.dumps(header)),
                weights=np.stack([self.bug_weights, self.request_weights, self.sentiment_weights]).astype(
                    np.float16
                ),
            )

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> KindModel:
        data = np.load(path, allow_pickle=False)
        header = json.loads(str(data["header"]))
        if header.get("format") != FORMAT:
            raise ValueError(f"{path} is not a kind model of format {FORMAT}")
        weights = data["weights"].astype(np.float32)
        return cls(
            bug_weights=weights[0],
            bug_bias=float(header["bug_bias"]),
            request_weights=weights[1],
            request_bias=float(header["request_bias"]),
            sentiment_weights=weights[2],
            sentiment_bias=float(header["sentiment_bias"]),
            bug_threshold=float(header["bug_threshold"]),
            request_threshold=float(header["request_threshold"]),
            rule_weight=float(header["rule_weight"]),
            trained_on=str(header["trained_on"]),
            sentiment_link=str(header.get("sentiment_link", "linear")),
        )

    def sentiment(self, vectors: np.ndarray) -> np.ndarray:
        """Sentiment in [−1, 1]; positive above 0."""
        score = vectors @ self.sentiment_weights + self.sentiment_bias
        if self.sentiment_link == "logistic":
            return np.tanh(score / 2.0)  # = 2·sigmoid(score) − 1
        return np.clip(score, -1.0, 1.0)

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(bug), P(feature request) with cue-phrase rules added to the logits."""
        bug_logit = vectors @ self.bug_weights + self.bug_bias
        request_logit = vectors @ self.request_weights + self.request_bias
        bug_cue = np.array([bool(_BUG_CUES.search(t)) for t in texts], dtype=np.float32)
        request_cue = np.array([bool(_REQUEST_CUES.search(t)) for t in texts], dtype=np.float32)
        bug_logit = bug_logit + self.rule_weight * bug_cue
        request_logit = request_logit + self.rule_weight * request_cue
        return 1 / (1 + np.exp(-bug_logit)), 1 / (1 + np.exp(-request_logit))

    def predict(self, texts: Sequence[str], vectors: np.ndarray) -> list[KindPrediction]:
        if not len(texts):
            return []
        bug, request = self.probabilities(texts, vectors)
        sentiment = self.sentiment(vectors)
        return [
            _decide(text, float(b), float(r), float(s), self.bug_threshold, self.request_threshold)
            for text, b, r, s in zip(texts, bug, request, sentiment, strict=True)
        ]


def is_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or (bool(_QUESTION_START.match(stripped)) and len(stripped) < 300)


def _decide(
    text: str, bug: float, request: float, sentiment: float, bug_cut: float, request_cut: float
) -> KindPrediction:
    def result(kind: str, confidence: float) -> KindPrediction:
        return KindPrediction(
            kind, round(min(max(confidence, 0.0), 1.0), 4), round(sentiment, 4), bug, request
        )

    bug_margin, request_margin = bug - bug_cut, request - request_cut
    how_to = bool(_HOW_TO.match(text))
    if (is_question(text) and max(bug_margin, request_margin) < QUESTION_MARGIN) or (
        how_to and bug_margin < QUESTION_MARGIN and request_margin < 2 * QUESTION_MARGIN
    ):
        return result("question", 0.5 + 0.4 * (1 - max(bug, request)))
    if bug_margin >= 0 or request_margin >= 0:
        if bug_margin >= request_margin:
            return result("bug", 0.5 + bug_margin / (2 * (1 - bug_cut)))
        return result("feature_request", 0.5 + request_margin / (2 * (1 - request_cut)))
    neither = (1 - bug / bug_cut) * (1 - request / request_cut)
    if is_question(text):
        return result("question", 0.5 + 0.4 * neither)
    if sentiment >= 0.3:
        return result("praise", min(1.0, neither * (0.5 + sentiment / 2)))
    if sentiment <= -0.3:
        return result("complaint", min(1.0, neither * (0.5 - sentiment / 2)))
    return result("other", neither * (1 - abs(sentiment)))


_DEFAULT: KindModel | None = None


def default_model() -> KindModel:
    """The packaged model, loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = KindModel.load(DEFAULT_MODEL)
    return _DEFAULT
