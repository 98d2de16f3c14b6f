from __future__ import annotations

import pytest

from radsocial.analysis.content import ContentClassifier
from radsocial.analysis.questions import QuestionClassifier, chat_marker

qc = QuestionClassifier()


@pytest.mark.parametrize(
    ("text", "value", "number"),
    [
        ("Q1: How has AI changed your reading room? #JACR", "chat_question", 1),
        ("Q12. What do residents need most? #RadRes", "chat_question", 12),
        ("A1: triage for head CT, flags 5% #JACR", "chat_answer", 1),
        ("RT @host: A3 we use structured reports #JACR", "chat_answer", 3),
        (
            "T4: Blood tests are very good, but biopsy is the gold standard #abcDRBchat",
            "chat_answer",
            4,
        ),
        ("T2: What is celiac disease? #abcDRBchat", "chat_question", 2),
        ("@JACRJournal Q2 do radiologists talk to patients?", "chat_question", 2),
        (
            "First question - how did you find out about your diagnosis? #cancerchat",
            "chat_question",
            1,
        ),
    ],
)
def test_tweetchat_markers(text, value, number):
    v, _, reasons, extra = qc.decide(text)
    assert v == value, reasons
    assert extra.get("number") == number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Do you need a 3-D mammogram? http://cnn.it/1mcqqpz #breastcancer", "rhetorical_question"),
        (
            "Need another reason to eat breakfast? Brain scan study finds downside",
            "rhetorical_question",
        ),
        (
            "Are mammograms worth it? Big careful study may make women wonder. http://nyti.ms/1eSbFcm",
            "rhetorical_question",
        ),
        ("going to Italy this fall, any tips/advice/fave spots? #glutenfree", "question"),
        ("is there a generic #cancerchat? And if so when?", "question"),
        ("@drsmith which MRI protocol do you use for this?", "question"),
        ("Chest CT shows a nodule.", "none"),
    ],
)
def test_genuine_vs_rhetorical(text, value):
    assert qc.decide(text)[0] == value


def test_chat_marker_needs_a_number_and_start():
    assert chat_marker("Q1: hi") == ("Q", 1)
    assert chat_marker("The Q1 results are in") is None
    assert chat_marker("A+ work") is None


cc = ContentClassifier()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Case of the day: 45M with flank pain. What's your diagnosis? #FOAMrad", {"education"}),
        ("New study finds 3-D mammography improves detection http://x.co/a", {"research", "news"}),
        ("See you at #RSNA19 booth 123!", {"conference"}),
        ("Medicare will cover lung cancer screening scans, a policy change", {"policy"}),
        ("Applications for our radiology residency open today", {"training_careers"}),
        (
            "Deep learning model detects pneumothorax on chest radiographs #radAI",
            {"ai_informatics"},
        ),
        ("Got my mammogram today, the tech was so kind", {"patient_experience"}),
        ("What to expect at your first MRI: tips for patients", {"patient_information"}),
        ("Book now: 20% off screening packages this month", {"promotion"}),
    ],
)
def test_content_categories(text, expected):
    got = set(cc.categories(text))
    assert expected <= got, got


def test_content_news_by_author_kind():
    assert "news" in cc.categories("Breast cancer risk test devised", author_kind="media_outlet")
