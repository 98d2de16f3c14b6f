"""Imaging modality and clinical area (both multi-label).

Modality comes from the same cues as relevance (relevance.py), so a word in another
sense ("CT" = Connecticut) gives no modality either. Only modalities that are stated or
unambiguously implied by the examination named are returned ("lung-cancer screening"
-> CT, "breast screening" -> mammography, "bone scan" -> PET/SPECT (scintigraphy),
"3T scanner" is not resolved). A "brain scan" has no modality.

Clinical area is read from the post's words (docs/classifiers.md lists them) and is
only produced for posts that are relevant: the codebook codes imaging posts, and
"breast" in a #BreastCancer fundraiser is not breast imaging.
"""

from __future__ import annotations

import re
from typing import Any

from radsocial.analysis.base import Label, label_key
from radsocial.analysis.relevance import imaging_cues
from radsocial.analysis.taxonomy import CLINICAL_AREAS, MODALITIES
from radsocial.analysis.text import Doc, prepare
from radsocial.knowledge.registry import Registry
from radsocial.models import Post

__all__ = ["ClinicalAreaClassifier", "ModalityClassifier", "clinical_areas"]

_3T_RE = re.compile(r"\b(?:1\.5|3|7)\s?T\s+(?:scanner|magnet|mri|mr)\b|\b(?:1\.5|3|7)T\b", re.I)


class ModalityClassifier:
    name = "modality-rules"
    task = "modality"
    version = "1.0"
    description = (
        "Imaging modalities named or unambiguously implied (multi-label), from relevance cues."
    )
    values = MODALITIES
    multi_label = True

    def __init__(self, registry: Registry | None = None):
        self.registry = registry

    def modalities(self, item: Post | Doc | str) -> dict[str, tuple[float, tuple[str, ...]]]:
        doc = prepare(item)
        cues = imaging_cues(doc, self.registry)
        if not cues.cues:
            return {}
        out: dict[str, tuple[float, list[str]]] = {}
        for c in cues.cues:
            if c.modality:
                score, reasons = out.get(c.modality, (0.0, []))
                reasons.append(c.reason)
                out[c.modality] = (max(score, c.strength), reasons)
        if cues.cues and "mri" not in out and _3T_RE.search(doc.text):
            out["mri"] = (0.8, ["field strength (3T)"])
        return {
            k: (v[0], tuple(v[1]))
            for k, v in sorted(out.items(), key=lambda kv: MODALITIES.index(kv[0]))
        }

    def _labels(self, doc: Doc, key: Any) -> list[Label]:
        return [
            Label(self.task, m, score, reasons, "rule", self.version, self.name, key)
            for m, (score, reasons) in self.modalities(doc).items()
        ]

    def classify(self, post: Post | Doc) -> list[Label]:
        doc = prepare(post)
        return self._labels(doc, label_key(doc.post))

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        return self._labels(Doc(text, context.get("hashtags")), None)


# -- clinical area ------------------------------------------------------------------------
_AREA_WORDS: dict[str, str] = {}


def _area(area: str, words: str) -> None:
    for w in words.split():
        _AREA_WORDS[w] = area


_area(
    "breast",
    "breast breasts mammogram mammograms mammography mammographic mammo tomosynthesis bcsm "
    "breastcancer breastimaging mastectomy brca dcis bi-rads birads densebreasts mammochat "
    "lumpectomy",
)
_area(
    "neuro",
    "brain brains stroke strokes neuro neurology neuroradiology neurorad neuroradiologist "
    "concussion concussions alzheimer alzheimers dementia glioma glioblastoma aneurysm "
    "migraine epilepsy parkinson parkinsons tbi cognitive vegetative consciousness "
    "intracranial cerebral hemorrhage haemorrhage ms psychopaths",
)
_area(
    "msk",
    "bone bones fracture fractures joint joints knee knees shoulder shoulders hip hips ankle "
    "ankles wrist wrists spine spinal musculoskeletal msk mskrad tendon ligament acl meniscus "
    "osteoporosis osteopenia arthritis scoliosis skeleton sports back",
)
_area(
    "chest",
    "lung lungs chest pulmonary pneumonia nodule nodules copd tuberculosis thoracic pneumothorax "
    "lungcancer lcsm emphysema pleural",
)
_area(
    "cardiac",
    "heart hearts cardiac coronary cardio cardiology cardiologist cardiologists echocardiogram "
    "echocardiography cardiovascular ccta cardiacimaging cmr pericardial myocardial",
)
_area(
    "abdominal",
    "kidney kidneys renal liver hepatic pancreas pancreatic bowel colon colonography abdomen "
    "abdominal appendicitis gallbladder stomach prostate pelvis pelvic ovarian uterine "
    "fibroid fibroids bariatric",
)
_area(
    "paediatric",
    "child children childhood kid kids paediatric pediatric paediatrics pediatrics infant "
    "infants baby babies newborn newborns toddler toddlers pedsrad teen teens adolescent",
)
_area(
    "interventional",
    "interventional irad embolization embolisation ablation stent stents catheter angioplasty "
    "thrombectomy image-guided biopsy biopsies mr-guided ct-guided",
)
_area(
    "nuclear_medicine",
    "spect scintigraphy radiotracer radiotracers radiopharmaceutical theranostics theranostic "
    "psma fdg nucmed snmmi petct pet-ct",
)
_area(
    "emergency",
    "emergency er ed trauma ambulance a&e injury injuries errad",
)
_area(
    "oncologic",
    "cancer cancers tumor tumors tumour tumours oncology oncologic oncological metastasis "
    "metastases metastatic malignant malignancy lymphoma carcinoma sarcoma melanoma leukemia "
    "myeloma breastcancer lungcancer",
)
_AREA_SET = frozenset(_AREA_WORDS)
_ED_RE = re.compile(r"\b(?:ER|ED|A&E)\b")
_NUCLEAR_RE = re.compile(r"\bnuclear\s+medicine\b|\bPET\b|\bpet[-/]ct\b|\bbone\s+scans?\b", re.I)


def clinical_areas(item: Post | Doc | str) -> dict[str, tuple[str, ...]]:
    """Area -> the words that decided it (no relevance check; see ClinicalAreaClassifier)."""
    doc = prepare(item)
    hit = doc.cache.get("areas")
    if hit is not None:
        return hit
    out: dict[str, list[str]] = {}
    for w in doc.tokset & _AREA_SET:
        area = _AREA_WORDS[w]
        if w in ("er", "ed") and not _ED_RE.search(doc.text):
            continue  # "ed" in lower case is not the emergency department
        if w == "ms" and "MS" not in doc.text:
            continue
        if w == "back" and "pain" not in doc.tokset:
            continue
        out.setdefault(area, []).append(w)
    if "nuclear_medicine" not in out and _NUCLEAR_RE.search(doc.text):
        out["nuclear_medicine"] = ["nuclear medicine / PET"]
    result = {a: tuple(sorted(out[a])) for a in CLINICAL_AREAS if a in out}
    doc.cache["areas"] = result
    return result


class ClinicalAreaClassifier:
    name = "clinical-area-rules"
    task = "clinical_area"
    version = "1.0"
    description = (
        "Clinical areas (subspecialties) of relevant posts, from keyword lists (multi-label)."
    )
    values = CLINICAL_AREAS
    multi_label = True

    def __init__(self, registry: Registry | None = None, require_relevant: bool = True):
        self.registry = registry
        self.require_relevant = require_relevant

    def _labels(self, doc: Doc, key: Any) -> list[Label]:
        if self.require_relevant and not imaging_cues(doc, self.registry).relevant:
            return []
        return [
            Label(self.task, area, 0.8, words, "rule", self.version, self.name, key)
            for area, words in clinical_areas(doc).items()
        ]

    def classify(self, post: Post | Doc) -> list[Label]:
        doc = prepare(post)
        return self._labels(doc, label_key(doc.post))

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        return self._labels(Doc(text, context.get("hashtags")), None)
