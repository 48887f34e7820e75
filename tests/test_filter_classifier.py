"""The fast classifier gives alt-profanity-check's own probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from profanity_check import predict_prob
from profanity_check import profanity_check as library
from sklearn.feature_extraction.text import TfidfVectorizer

from bench.filter_quality import LABELLED, load_labelled
from pipeline.contentfilter.classifier import ProfanityClassifier, shared_classifier

ODD_TEXTS = ["", "!!!", "ck", "FUCK FUCK fuck", "a " * 300, "unknownword xyzzy", "日本語"]


def test_fast_path_matches_the_library_on_labelled_and_odd_texts():
    texts = [t for v in load_labelled(LABELLED).values() for t in v] + ODD_TEXTS
    classifier = shared_classifier()
    assert classifier._fast is not None, "the shipped model no longer has the expected shape"
    ours = np.array(classifier.probabilities(texts))
    np.testing.assert_allclose(ours, predict_prob(texts), rtol=0, atol=1e-12)


def test_library_path_gives_the_same_numbers():
    slow = ProfanityClassifier(fast=False)
    assert slow._fast is None
    assert slow.probabilities(ODD_TEXTS) == pytest.approx(
        shared_classifier().probabilities(ODD_TEXTS), abs=1e-12
    )
    assert slow.probabilities([]) == []


def test_a_model_of_another_shape_is_refused_by_the_fast_path():
    other = TfidfVectorizer(sublinear_tf=True).fit(["some text", "more text"])
    with pytest.raises(ValueError, match="TF-IDF"):
        ProfanityClassifier._extract(other, library.model)
