"""The label sets every classifier, gold file and registry entry refers to.

Kept free of imports so the registry (`radsocial.knowledge`) and the classifiers can
both use it without an import cycle. The meaning of every value is documented in
docs/classifiers.md; changing a value is a breaking change (bump the classifier's
major version).
"""

from __future__ import annotations

#: Relevance values ("is the post about medical imaging / radiology at all?").
RELEVANCE = ("relevant", "not_relevant")

#: Imaging modalities (multi-label).
MODALITIES = (
    "radiography",  # plain X-ray, incl. DXA densitometry
    "ct",
    "mri",
    "ultrasound",  # incl. echocardiography, Doppler
    "mammography",  # incl. tomosynthesis (3-D mammography)
    "pet_spect",  # PET, SPECT, scintigraphy ("bone scan")
    "fluoroscopy",
    "angiography",
)

#: Clinical areas (multi-label), the subspecialties radiology studies code.
CLINICAL_AREAS = (
    "breast",
    "neuro",
    "msk",
    "chest",
    "cardiac",
    "abdominal",
    "paediatric",
    "interventional",
    "nuclear_medicine",
    "emergency",
    "oncologic",
)

#: The content codebook of domain.md §4 (multi-label).
CONTENT_CATEGORIES = (
    "education",
    "research",
    "conference",
    "patient_information",
    "patient_experience",
    "policy",
    "training_careers",
    "ai_informatics",
    "promotion",
    "news",
    "personal",
)

SENTIMENTS = ("negative", "neutral", "positive")

#: Question / answer detection values.
QUESTION_VALUES = ("question", "rhetorical_question", "chat_question", "chat_answer", "none")

#: radsocial's stakeholder taxonomy (domain.md §3), individuals then organisations.
STAKEHOLDER_INDIVIDUALS = (
    "radiologist",
    "radiology_trainee",
    "medical_student",
    "imaging_technologist",  # radiographer / technologist / sonographer
    "medical_physicist",
    "other_physician",
    "other_hcp",
    "researcher_academic",
    "patient_advocate",
    "caregiver",
    "journalist",
    "other_individual",
)
STAKEHOLDER_ORGANISATIONS = (
    "imaging_practice",  # radiology practice / imaging centre
    "hospital_health_system",  # hospital, health system, clinic or department
    "professional_society",
    "journal_publisher",
    "vendor_industry",  # equipment, AI, IT, pharma
    "media_outlet",
    "government_regulator",
    "advocacy_nonprofit",
    "university_education",
    "other_organisation",
)
STAKEHOLDERS = (*STAKEHOLDER_INDIVIDUALS, *STAKEHOLDER_ORGANISATIONS, "spam_bot", "unknown")

#: Symplur's 19 healthcare stakeholder segments, spelled as Symplur spells them.
SYMPLUR_SEGMENTS = (
    "Doctor",
    "HCP",
    "Patient Advocate",
    "Caregiver",
    "Researcher/Academic",
    "Journalist/Media",
    "Individual Health",
    "Individual Non-Health",
    "Org. Provider",
    "Org. Research/Academic",
    "Org. Government",
    "Org. Advocacy",
    "Org. Pharma",
    "Org. MedDevice",
    "Org. Media",
    "Org. Other Healthcare",
    "Org. Non-Health",
    "Spam",
    "Unknown",
)

#: radsocial label -> Symplur segment. Three labels are refined by the bio (see
#: `radsocial.analysis.stakeholder.to_symplur`): other_individual (Individual Health
#: vs Non-Health), vendor_industry (Org. Pharma vs Org. MedDevice) and
#: other_organisation (Org. Other Healthcare vs Org. Non-Health). The values here are
#: the defaults used when no bio is available.
SYMPLUR_MAP = {
    "radiologist": "Doctor",
    "radiology_trainee": "Doctor",
    "medical_student": "Individual Health",
    "imaging_technologist": "HCP",
    "medical_physicist": "HCP",
    "other_physician": "Doctor",
    "other_hcp": "HCP",
    "researcher_academic": "Researcher/Academic",
    "patient_advocate": "Patient Advocate",
    "caregiver": "Caregiver",
    "journalist": "Journalist/Media",
    "other_individual": "Individual Non-Health",
    "imaging_practice": "Org. Provider",
    "hospital_health_system": "Org. Provider",
    "professional_society": "Org. Other Healthcare",
    "journal_publisher": "Org. Media",
    "vendor_industry": "Org. MedDevice",
    "media_outlet": "Org. Media",
    "government_regulator": "Org. Government",
    "advocacy_nonprofit": "Org. Advocacy",
    "university_education": "Org. Research/Academic",
    "other_organisation": "Org. Non-Health",
    "spam_bot": "Spam",
    "unknown": "Unknown",
}

HASHTAG_KINDS = ("topic", "tweetchat", "conference", "disease")

METHODS = ("rule", "model", "manual")
