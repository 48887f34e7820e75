"""Measured quality on the labelled sets stays at what the README reports."""

from __future__ import annotations

import pytest

from bench.filter_quality import FRESH, FRESH2, HOLDOUT, LABELLED, load_labelled, profanity_rate
from tests.fixtures_filter import default_filter


@pytest.mark.parametrize(
    ("path", "min_recall"),
    [(LABELLED, 0.95), (HOLDOUT, 0.95), (FRESH, 0.95), (FRESH2, 0.95)],  # FRESH2: never tuned on
    ids=["tuning", "holdout", "fresh", "fresh2"],
)
def test_recall_and_false_positives(path, min_recall):
    sets = load_labelled(path)
    recall, _ = profanity_rate(default_filter(), sets["profane"])
    rejected_clean = [t for t in sets["clean"] if not default_filter().check(t).passed]
    assert recall >= min_recall
    assert len(rejected_clean) / len(sets["clean"]) <= 0.05, rejected_clean


def test_the_scunthorpe_words_and_infosec_jargon_pass():
    for text in [
        "Scunthorpe United won again",
        "the annual security assessment",
        "cocktail hour at the conference",
        "a classic buffer overflow",
        "the kill chain of the campaign",
        "the exploit works on unpatched servers",
        "reduce your attack surface",
        "the penetration test report",
        "hack the planet tonight",
        "the malware tries to dump credentials",
    ]:
        assert default_filter().check(text).passed, text
