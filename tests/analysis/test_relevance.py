"""Relevance: hand-checked positives and the word-sense traps of the definition."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from radsocial.analysis.evaluate import evaluate
from radsocial.analysis.modality import ClinicalAreaClassifier, ModalityClassifier
from radsocial.analysis.relevance import RelevanceClassifier
from radsocial.models import Post

rel = RelevanceClassifier()

POSITIVES = [
    "MRI Monday. Wish me luck.",  # "MRI" alone is imaging
    "Got my annual mammogram today, all clear!",
    "Sharp rise in CT scans on children",
    "Ultrasound vs. CT for Kidney Stones",
    "Cancer patients want more info about CT risks",  # bare CT with clinical context
    "CT for chest pain in ER gets patients home sooner",
    "PET Scans Offer Clues on Vegetative States",
    "Toronto radiologist's 3,500 CT scans reviewed",
    "NHS radiographers strike over pay",
    "Brain scans reveal that vegetative patients could answer questions",
    "Call for lung cancer screening in UK",  # screening whose test is imaging
    "Call for change to breast screening",
    "Dense breast notification laws are now in force",
    "Case of the day: what's your diagnosis? #FOAMrad",
    "Heading to Chicago for #RSNA19!",
    "Radiología de urgencias: caso clínico del día",
    "Chest x-ray shows right lower lobe pneumonia",
    "FDG PET/CT changed staging in our lymphoma patients",
    "Abdominal US shows gallstones without cholecystitis",
]

TRAPS = [
    # Connecticut
    "Court blocks UnitedHealthcare from dropping CT doctors from Medicare Advantage plans",
    "Updates on #exchange launches in KY, CT, MD, NY, WA and CO",
    "Hartford, CT: new urgent care center opens downtown",
    "We are struggling to crowdfund a school garden in #Greenwich #CT",
    # PCR cycle threshold
    "My PCR came back positive with a Ct value of 32",
    "Is a CT of 35 on a COVID PCR test even meaningful?",
    "Cycle threshold (CT) values should not be used alone to end isolation",
    # radiotherapy only, environmental radiation, nuclear
    "Finished my last session of radiotherapy today #RadOnc",
    "Proton beam therapy and the cost of health care",
    "Radiation from Fukushima probably will kill 130 people",
    "Cell phone radiation: what the science says",
    # pets and PET plastic
    "11 ways having a pet makes you healthier",
    "Does your #pet have cancer? They can join clinical trials too",
    "Pet scan for microchips at the shelter found the owner",
    "PET bottles are recyclable; rinse them first",
    # scandal, QR, apps, columns, scan = look
    "Cancer scandal hospital chief quits",
    "Scan the QR code at the entrance to check in",
    "Patients can now scan a QR code to fill in their intake form",
    "Ditch the coupons and try these grocery scanning apps",
    "The Scan: Science Events and an Exhibition",
    "I scanned the room for familiar faces",
    # airport screening
    "Airport Security X-Rays May Damage Diabetes Devices",
    "Went through the body scanner at Heathrow and got patted down anyway",
    "Air industry battles Ebola with heat scans and handwash",
    "U.S. begins enhanced Ebola screening program at JFK airport",
    # screening alone is ambiguous (colonoscopy, Pap, PSA)
    "Colon Cancer Screening Saves Lives",
    "PSA test should be abandoned as screen for prostate cancer",
    "HPV test approved for cervical cancer screening",
    # therapeutic ultrasound
    "The Ultrasound Treatment That May Help People With Plantar Fasciitis",
    "Can ultrasound fight Alzheimer's? Mice study hints at new weapon",
    # meeting tag shared with rheumatology
    "#ACR19 rheumatology meeting: new lupus data",
    # brain study without imaging named
    "Being bilingual 'slows brain ageing'",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_relevant(text):
    value, score, reasons, _ = rel.decide(text)
    assert value == "relevant", reasons
    assert 0.5 < score <= 1.0 and reasons


@pytest.mark.parametrize("text", TRAPS)
def test_traps_are_not_relevant(text):
    value, _, reasons, _ = rel.decide(text)
    assert value == "not_relevant", reasons


def test_veto_reasons_explain_the_trap():
    _, _, reasons, _ = rel.decide("Court blocks UnitedHealthcare from dropping CT doctors")
    assert any("Connecticut" in r for r in reasons)
    _, _, reasons, _ = rel.decide("Ct values below 25 suggest a high viral load")
    assert any("PCR" in r for r in reasons) or reasons == ("no imaging cue",)


def test_mention_of_radiology_account_is_not_the_word_radiology():
    # "@Radiology_RSNA" is an imaging journal: a weak cue, reported as a mention
    v, s, reasons, _ = rel.decide("Girls recover from concussions faster, study in @radiology_rsna")
    assert v == "relevant" and s < 0.8 and any("mentions" in r for r in reasons)


def test_label_from_post_carries_key_version_and_method():
    post = Post(
        "x",
        "42",
        datetime(2019, 12, 1, tzinfo=UTC),
        "Chest CT shows a nodule #RSNA19",
        hashtags=("RSNA19",),
    )
    (label,) = rel.classify(post)
    assert label.key == ("x", "42")
    assert (label.task, label.value, label.method, label.version) == (
        "relevance",
        "relevant",
        "rule",
        rel.version,
    )


def test_modality_multi_label_and_connecticut_gives_none():
    mc = ModalityClassifier()
    assert set(mc.modalities("Ultrasound as good as CT for kidney stones")) == {"ct", "ultrasound"}
    assert set(mc.modalities("FDG PET/CT staging in lymphoma")) >= {"pet_spect"}
    assert set(mc.modalities("Call for lung cancer screening")) == {"ct"}
    assert set(mc.modalities("3-D Mammography Test Improves Detection")) == {"mammography"}
    assert mc.modalities("Court blocks dropping CT doctors") == {}
    assert mc.modalities("Brain scan call for mild strokes") == {}  # no modality named


def test_clinical_area_only_for_relevant_posts():
    ac = ClinicalAreaClassifier()
    labels = {
        lb.value
        for lb in ac.classify_text("MRI-guided biopsies improve detection of prostate cancer")
    }
    assert {"abdominal", "oncologic", "interventional"} <= labels
    assert ac.classify_text("Breast cancer fundraiser walk this Sunday #BreastCancer") == []


def test_dev_gold_f1(gold_dir):
    res = evaluate("relevance", gold_dir / "relevance.csv")
    assert res.positive_f1 >= 0.90
    mod = evaluate("modality", gold_dir / "relevance.csv")
    assert mod.macro_f1 >= 0.8
