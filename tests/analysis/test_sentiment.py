from __future__ import annotations

import csv

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from radsocial.analysis.sentiment import FastVader, SentimentClassifier

TRICKY = [
    "VADER is smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "The book was kind of good.",
    "At least it isn't a horrible book.",
    "Not bad at all",
    "no love, no hope, nor joy",
    "It was good but the ending was terrible :(",
    "Make sure you :) or :D today!",
    "Today SUX!",
    "This is the shit 😂😂 never so good",
    "I 💕 my radiologist 😀",
    "yeah right, kiss of death",
    "without doubt the best",
    "the least bad option",
    "never so bad",
    "It is not the bomb, but the food was to die for",
    "",
    "   ",
    "Scans every 3 months. Scanxiety is real?!?!",
]


def test_fastvader_is_identical_to_vadersentiment(gold_dir):
    texts = list(TRICKY)
    for name in ("sentiment.csv", "relevance.csv"):
        with open(gold_dir / name, encoding="utf-8", newline="") as fh:
            texts += [r["text"] for r in csv.DictReader(fh)]
    ref = SentimentIntensityAnalyzer()
    fast = FastVader()
    for t in texts:
        assert fast.polarity_scores(t) == ref.polarity_scores(t), t


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mammograms save lives!", "positive"),
        ("The hidden dangers of medical scans", "negative"),
        ("Breast cancer risk test devised", "neutral"),  # topic words are not sentiment
        ("Texas worker tests positive for Ebola", "neutral"),
        ("Gluten free market opens downtown", "neutral"),
        ("I love my radiology team, best techs ever", "positive"),
        ("Waited 3 hours for my MRI, awful experience", "negative"),
    ],
)
def test_labels(text, expected):
    (lab,) = SentimentClassifier().classify_text(text)
    assert lab.value == expected, (lab.extra, lab.reasons)
    assert lab.method == "rule" and "compound" in lab.extra


def test_plain_vader_mode_keeps_topic_words():
    plain = SentimentClassifier(medical_neutral=False)
    assert plain.classify_text("Breast cancer risk test devised")[0].value == "negative"


def test_reasons_name_the_words():
    (lab,) = SentimentClassifier().classify_text("What a great and helpful radiologist")
    assert any(r.startswith("great") for r in lab.reasons)
