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

    def __init__(self, fast: bool = True) -> None:
        """``fast=False`` always asks the library (slower, same numbers)."""
        from profanity_check import profanity_check as library

        self._library = library
        vectorizer, model = library.vectorizer, library.model
        self._analyze = vectorizer.build_analyzer()
        self._fast = None
        try:
            if fast:
                self._fast = self._extract(vectorizer, model)
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            log.info("profanity model has an unexpected shape (%s); using the library", exc)

    @staticmethod
    def _extract(vectorizer, model) -> tuple[dict[str, tuple[float, ...]], list[tuple]]:
        params = vectorizer.get_params()
        if params["norm"] != "l2" or params["sublinear_tf"] or params["binary"]:
            raise ValueError("vectoriser is not plain l2-normalised TF-IDF")
        weights, folds = [], []
        for calibrated in model.calibrated_classifiers_:
            (calibrator,) = calibrated.calibrators
            if type(calibrator).__name__ != "_SigmoidCalibration":
                raise ValueError(f"calibrator {type(calibrator).__name__} is not sigmoid")
            weights.append(np.asarray(calibrated.estimator.coef_, dtype=float).ravel())
            intercept = float(np.ravel(calibrated.estimator.intercept_)[0])
            folds.append((intercept, float(calibrator.a_), float(calibrator.b_)))
        idf = np.asarray(vectorizer.idf_, dtype=float)
        scaled = np.stack(weights, axis=1) * idf[:, None]  # idf-scaled weight of each fold
        features = {
            token: (float(idf[i]), *map(float, scaled[i]))
            for token, i in vectorizer.vocabulary_.items()
        }
        return features, folds

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """One probability per text (the same numbers as ``predict_prob``)."""
        if not texts:
            return []
        if self._fast is None:
            return [float(p) for p in self._library.predict_prob(list(texts))]
        return [self._probability(text) for text in texts]

    def _probability(self, text: str) -> float:
        """l2-normalised TF-IDF dot each fold's weights, sigmoid-calibrated, averaged."""
        features, folds = self._fast
        counts = Counter(t for t in self._analyze(text) if t in features)
        sums = [0.0] * len(folds)
        norm = 0.0
        for token, count in counts.items():
            idf, *weights = features[token]
            norm += (count * idf) ** 2
            for k, weight in enumerate(weights):
                sums[k] += count * weight
        norm = math.sqrt(norm) or 1.0
        total = 0.0
        for (intercept, slope, offset), dot in zip(folds, sums, strict=True):
            total += 1.0 / (1.0 + math.exp(slope * (intercept + dot / norm) + offset))
        return total / len(folds)


@cache
def shared_classifier() -> ProfanityClassifier:
    """The one classifier of this process (loading the model takes about a second)."""
    return ProfanityClassifier()
