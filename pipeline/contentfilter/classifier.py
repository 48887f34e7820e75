"""The profanity classifier: alt-profanity-check's model, scored without sklearn's overhead.

alt-profanity-check ships a TF-IDF vectoriser and a ``CalibratedClassifierCV`` of linear SVMs
with sigmoid calibration. Its ``predict_prob`` costs about 10 ms a call, mostly sklearn's input
checks; :class:`ProfanityClassifier` computes the same probability from the same fitted
weights in tens of microseconds (``tests/test_filter_classifier.py`` checks that the two agree).
When the shipped model is not of that shape (a future release), it falls back to the library.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from functools import cache

import numpy as np

log = logging.getLogger(__name__)


class ProfanityClassifier:
    """Probability that a text is profane or offensive, 0..1, from alt-profanity-check."""

    def __init__(self) -> None:
        from profanity_check import profanity_check as library

        self._library = library
        vectorizer, model = library.vectorizer, library.model
        self._analyze = vectorizer.build_analyzer()
        self._index = vectorizer.vocabulary_
        try:
            self._fast = self._extract(vectorizer, model)
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            log.info("profanity model has an unexpected shape (%s); using the library", exc)
            self._fast = None

    @staticmethod
    def _extract(vectorizer, model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        params = vectorizer.get_params()
        if params["norm"] != "l2" or params["sublinear_tf"] or params["binary"]:
            raise ValueError("vectoriser is not plain l2-normalised TF-IDF")
        weights, intercepts, slopes, offsets = [], [], [], []
        for calibrated in model.calibrated_classifiers_:
            (calibrator,) = calibrated.calibrators
            if type(calibrator).__name__ != "_SigmoidCalibration":
                raise ValueError(f"calibrator {type(calibrator).__name__} is not sigmoid")
            estimator = calibrated.estimator
            weights.append(np.asarray(estimator.coef_).ravel())
            intercepts.append(float(np.ravel(estimator.intercept_)[0]))
            slopes.append(float(calibrator.a_))
            offsets.append(float(calibrator.b_))
        idf = np.asarray(vectorizer.idf_)
        # Per feature: its idf, and the idf-scaled weight of each calibrated fold.
        return (
            idf,
            np.stack(weights, axis=1) * idf[:, None],
            np.array(intercepts),
            (
                np.array(slopes),
                np.array(offsets),
            ),
        )

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """One probability per text (batched; the same numbers as ``predict_prob``)."""
        if not texts:
            return []
        if self._fast is None:
            return [float(p) for p in self._library.predict_prob(list(texts))]
        return [self._probability(text) for text in texts]

    def _probability(self, text: str) -> float:
        idf, scaled, intercepts, (slopes, offsets) = self._fast
        counts = Counter(i for t in self._analyze(text) if (i := self._index.get(t)) is not None)
        decision = intercepts
        if counts:
            features = np.fromiter(counts, dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
            norm = math.sqrt(float(np.dot(tf * idf[features], tf * idf[features])))
            decision = intercepts + (tf @ scaled[features]) / norm
        return float(np.mean(1.0 / (1.0 + np.exp(slopes * decision + offsets))))


@cache
def shared_classifier() -> ProfanityClassifier:
    """The one classifier of this process (loading the model takes about a second)."""
    return ProfanityClassifier()
