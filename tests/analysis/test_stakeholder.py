from __future__ import annotations

from datetime import UTC, datetime

import pytest

from radsocial.analysis.evaluate import evaluate
from radsocial.analysis.stakeholder import StakeholderClassifier, to_symplur
from radsocial.analysis.taxonomy import STAKEHOLDERS, SYMPLUR_MAP, SYMPLUR_SEGMENTS
from radsocial.models import Account, Post

sc = StakeholderClassifier()


@pytest.mark.parametrize(
    ("handle", "name", "bio", "expected"),
    [
        (
            "jdoe",
            "Jane Doe",
            "Breast radiologist. Mammography, MRI. Mom of 2. Views my own.",
            "radiologist",
        ),
        ("radres1", "", "PGY-3 diagnostic radiology resident #RadRes", "radiology_trainee"),
        ("ms2", "", "Med student. Future radiologist?", "medical_student"),
        ("sono", "", "Registered diagnostic medical sonographer (RDMS)", "imaging_technologist"),
        ("phys", "", "Medical physicist, MRI safety and dose", "medical_physicist"),
        ("gp", "", "Family physician in rural Wales. Tweets are my own.", "other_physician"),
        ("rn", "", "ICU nurse, runner, coffee addict", "other_hcp"),
        ("pa", "", "Physician assistant in orthopaedics", "other_hcp"),
        ("nd", "", "Naturopathic Doctor, outdoor enthusiast", "other_hcp"),
        ("epi", "", "Infectious disease epidemiologist and PhD", "researcher_academic"),
        ("bcs", "", "Breast cancer survivor, #BCSM, advocate for patients", "patient_advocate"),
        ("mom", "", "Mother of a celiac son, sharing recipes", "caregiver"),
        ("rep", "", "Health reporter at a national newspaper", "journalist"),
        ("runner", "", "Wife, mother, marathon runner and cat lover", "other_individual"),
        (
            "img",
            "Valley Imaging",
            "Outpatient imaging center offering MRI, CT and mammography",
            "imaging_practice",
        ),
        (
            "hosp",
            "",
            "Norton Healthcare includes 5 hospitals and 12 urgent care centers",
            "hospital_health_system",
        ),
        (
            "soc",
            "",
            "The professional society for hematologists. Members worldwide.",
            "professional_society",
        ),
        (
            "jrnl",
            "",
            "Peer-reviewed medical journal publishing research for physicians",
            "journal_publisher",
        ),
        (
            "ai",
            "DeepScan AI",
            "AI software for chest X-ray triage. FDA-cleared. Book a demo.",
            "vendor_industry",
        ),
        ("news", "", "Daily news on radiology and imaging technology", "media_outlet"),
        (
            "gov",
            "",
            "Official account of the national medicines and medical devices regulator",
            "government_regulator",
        ),
        (
            "ngo",
            "",
            "A global non-profit organization dedicated to improving health in Africa",
            "advocacy_nonprofit",
        ),
        (
            "uni",
            "",
            "Emory University School of Medicine is a leading institution",
            "university_education",
        ),
        (
            "bake",
            "",
            "Delicious gluten free cookies made in a dedicated facility",
            "other_organisation",
        ),
        ("bot", "", "I am a bot and I retweet everything tagged #Edmonton", "spam_bot"),
        ("q", "", "Live by the sun, love by the moon", "unknown"),
        ("drwho", "", "Trust me, I'm a doctor. But not THAT type of doctor.", "other_individual"),
        (
            "msf",
            "",
            "Communications officer at Doctors Without Borders. Views my own.",
            "other_individual",
        ),
    ],
)
def test_examples(handle, name, bio, expected):
    d = sc.decide(handle, name, bio)
    assert d.value == expected, d.reasons
    assert d.reasons and 0 < d.score <= 1


def test_registry_entity_wins_and_empty_bio_is_unknown():
    d = sc.decide("@Radiology_RSNA", "", "")
    assert d.value == "journal_publisher" and "registry" in d.reasons[0]
    assert sc.decide("someone", "", "").value == "unknown"
    assert sc.decide("someone", "Jane Smith, MD", "").value == "other_physician"


def test_symplur_mapping_covers_taxonomy_and_refines_three_labels():
    assert set(SYMPLUR_MAP) == set(STAKEHOLDERS)
    assert set(SYMPLUR_MAP.values()) <= set(SYMPLUR_SEGMENTS)
    assert to_symplur("radiologist") == "Doctor"
    assert to_symplur("radiology_trainee") == "Doctor"
    assert to_symplur("imaging_technologist") == "HCP"
    assert to_symplur("other_individual", "Runner and health nut blogger") == "Individual Health"
    assert to_symplur("other_individual", "Golf pro and dad") == "Individual Non-Health"
    assert (
        to_symplur("vendor_industry", "Pharmaceutical company developing contrast agents")
        == "Org. Pharma"
    )
    assert to_symplur("vendor_industry", "Manufacturer of ultrasound systems") == "Org. MedDevice"
    assert to_symplur("other_organisation", "Gluten free bakery") == "Org. Non-Health"
    assert to_symplur("unknown") == "Unknown"
    with pytest.raises(ValueError):
        to_symplur("doctor")


def test_label_for_account_and_post():
    acc = Account("x", "7", handle="rad", name="A", bio="Neuroradiologist. Stroke imaging.")
    (lab,) = sc.classify_account(acc)
    assert lab.key == ("x", "7") and lab.value == "radiologist" and lab.extra["symplur"] == "Doctor"
    post = Post("x", "1", datetime(2020, 1, 1, tzinfo=UTC), "hi", author_id="7", author=acc)
    assert sc.classify(post)[0].value == "radiologist"


def test_dev_gold_macro_f1(gold_dir):
    res = evaluate("stakeholder", gold_dir / "stakeholder.csv")
    assert res.macro_f1 >= 0.75


def test_symplur_scheme(tmp_path, gold_dir):
    f = tmp_path / "symplur.csv"
    f.write_text(
        "handle,name,bio,stakeholder\n"
        "a,,Family physician in Leeds,Doctor\n"
        "b,,ICU nurse and mum,HCP\n"
        "c,,Breast cancer survivor and advocate,Patient Advocate\n"
        "d,,Daily news on health,Org. Media\n"
        "e,,,Unknown\n",
        encoding="utf-8",
    )
    res = evaluate("stakeholder", f, scheme="symplur")
    assert res.scheme == "symplur" and res.n == 5
    assert res.macro_f1 == 1.0
    assert "Doctor" in res.per_class
