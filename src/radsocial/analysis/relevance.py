"""Relevance: is the post about medical imaging / radiology at all?

Definition applied (docs/classifiers.md): a post is *relevant* when it refers to
medical imaging in the medical sense — an imaging examination or modality (X-ray, CT,
MRI, ultrasound, mammography, PET/SPECT, fluoroscopy, angiography...), imaging findings
or research that uses imaging (a "brain scan" study), imaging professionals and
services (radiologists, radiographers, scan waiting times), imaging technology and
meetings — even when imaging is not the post's main topic. It is *not relevant* when
the only candidates are other senses of the same words:

* "CT" meaning Connecticut ("Hartford, CT", "KY, CT, MD", "CT doctors") or the
  "Ct value" of a PCR test;
* radiotherapy alone (#RadOnc, proton therapy, "radiation treatment"), radiation in
  the environmental sense (Fukushima, cell phones);
* "pet" the animal (lower case; "PET" needs a scan/tracer context);
* "scan" in "scandal", a QR/barcode/grocery-app scan, a "heat scan"/body scanner at an
  airport, "The Scan:" newspaper column, "scan for" (= search);
* ultrasound used as a therapy (focused ultrasound, "ultrasound treatment") with no
  diagnostic context; airport security or astronomy X-rays;
* "screening" alone (colonoscopy, Pap, PSA, Ebola fever checks): only screening whose
  test is imaging counts — breast screening (mammography), lung-cancer screening (low-
  dose CT), AAA screening (ultrasound) — plus breast density.

The decision is made from *cues*: each cue has a strength, a modality (or none) and a
human-readable reason; some cues need context, and vetoes remove cues that are another
sense of the word. Relevant iff at least one cue survives; the score is the strongest
cue's strength. The same cues give the modality labels (see modality.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from radsocial.analysis.base import Label, label_key
from radsocial.analysis.text import Doc, prepare
from radsocial.knowledge.registry import Registry, default_registry
from radsocial.models import Post

__all__ = ["Cue", "ImagingCues", "RelevanceClassifier", "imaging_cues"]

STRONG = 0.95
MEDIUM = 0.8
CONTEXT = 0.65


@dataclass(frozen=True, slots=True)
class Cue:
    reason: str
    strength: float
    modality: str | None = None


@dataclass(slots=True)
class ImagingCues:
    cues: tuple[Cue, ...]
    vetoes: tuple[str, ...]

    @property
    def relevant(self) -> bool:
        return bool(self.cues)

    @property
    def score(self) -> float:
        return max((c.strength for c in self.cues), default=0.0)

    @property
    def modalities(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for c in self.cues:
            if c.modality and c.strength > out.get(c.modality, 0.0):
                out[c.modality] = c.strength
        return out


# -- token cues: unambiguous words ------------------------------------------------------
_TOKEN_CUES: dict[str, tuple[str | None, float]] = {}


def _add(words: str, modality: str | None, strength: float = STRONG) -> None:
    for w in words.split():
        _TOKEN_CUES[w] = (modality, strength)


_add(
    "radiology radiologist radiologists radiologic radiological neuroradiology "
    "neuroradiologist neuroradiologists teleradiology radiologie radiologia",
    None,
)
_add("radiography radiograph radiographs radiographic radiographer radiographers", "radiography")
_add("xray xrays x-ray x-rays x-rayed", "radiography")
_add("dexa dxa densitometry", "radiography", MEDIUM)
_add(
    "mammogram mammograms mammography mammographic mammographer mammographers mammo mammos "
    "tomosynthesis",
    "mammography",
)
_add(
    "ultrasound ultrasounds ultrasonography ultrasonographic sonogram sonograms sonography "
    "sonographic sonographer sonographers echocardiogram echocardiograms echocardiography "
    "pocus",
    "ultrasound",
)
_add("mri mris fmri mr-guided", "mri")
_add("fluoroscopy fluoroscopic", "fluoroscopy")
_add("angiogram angiograms angiography angiographic", "angiography")
_add(
    "spect scintigraphy radiotracer radiotracers radiopharmaceutical radiopharmaceuticals",
    "pet_spect",
)
_add("imaging imager imagers incidentaloma incidentalomas dicom contrast-enhanced scanxiety", None)
_add("bi-rads birads lung-rads li-rads pi-rads ti-rads", None)
_add("gadolinium", "mri", MEDIUM)
_add("mrcp mra", "mri", MEDIUM)
_add("hrct ctpa ccta", "ct")
_add("petct pet-ct pet-mri", "pet_spect")
_add("roentgen röntgen", "radiography")
_add("embolization embolisation image-guided", None, MEDIUM)
# other languages (es, pt, fr, de, it): unambiguous words only
_add(
    "radiología radiólogo radiólogos radióloga radiologista radiologistas radiologue radiologues "
    "radiologe radiologen radiologo radiologi radiológico radiológica",
    None,
)
_add("radiografía radiografia radiographie", "radiography")
_add(
    "mamografía mamografia mammographie mammografie mammografia mamografías mamografias",
    "mammography",
)
_add(
    "ecografía ecografia ecografías échographie echographie sonografie ultraschall ultrassom "
    "ultrassonografia",
    "ultrasound",
)
_add("tomografía tomografia tomographie", "ct", MEDIUM)
_add("doppler", "ultrasound", MEDIUM)

_TOKEN_CUE_SET = frozenset(_TOKEN_CUES)

# words that make a bare "CT", "PET" or "scan" clinical
_CLINICAL = frozenset(
    """scan scans scanned scanner scanners imaging image images radiation dose doses contrast
    chest head abdomen abdominal pelvis pelvic kidney kidneys stone stones nodule nodules lesion
    lesions tumor tumors tumour tumours cancer cancers stroke strokes fracture fractures
    appendicitis er emergency patient patients risk risks diagnosis diagnose diagnosed diagnostic
    findings finding showed shows reveal reveals revealed ordered lung lungs liver brain brains
    bleed hemorrhage haemorrhage trauma injury injuries pain child children kids infant babies
    baby pregnancy pregnant fetal foetal fetus stillbirth hospital hospitals clinic clinics nhs
    doctor doctors physician physicians surgeon surgeons radiologist radiologists disease
    diseases concussion concussions dementia alzheimer heart cardiac spine bone bones
    medical exam exams test tests biopsy scoliosis skull skeleton mummy mummies consciousness
    vegetative results ned oncologist oncology chemo metastases mets recurrence remission surgery
    surgical""".split()
)

_SCAN_TOKENS = frozenset("scan scans scanned scanning scanner scanners".split())
_SCAN_MODIFIERS = frozenset(
    """brain brains head heart hearts cardiac body bone bones lung lungs liver kidney kidneys
    breast breasts medical pregnancy baby dating anomaly nuchal fetal foetal thyroid abdominal
    pelvic hip knee spine nhs hospital diagnostic cancer cat whole-body full-body mummy
    mummies""".split()
)
_SCAN_NONMEDICAL = frozenset(
    """qr barcode barcodes code codes grocery groceries product products receipt receipts
    document documents fingerprint fingerprints iris face facial airport airports security tsa
    luggage baggage bag bags passenger passengers heat thermal fever temperature eeg ecg ekg
    ticket tickets shelf shelves menu coupon coupons app apps""".split()
)
_SCAN_MODALITY = {
    "bone": "pet_spect",
    "bones": "pet_spect",
    "dating": "ultrasound",
    "anomaly": "ultrasound",
    "nuchal": "ultrasound",
    "pregnancy": "ultrasound",
    "baby": "ultrasound",
    "fetal": "ultrasound",
    "foetal": "ultrasound",
    "cat": "ct",
}
_SCAN_PATIENT_RE = re.compile(
    r"\b(?:my|her|his|your|their|next|last|first|latest|follow-up|followup|annual|routine)\s+"
    r"scans?\b|\bscans?\s+(?:results?|day|today|tomorrow|came\s+back|(?:were|are|was|is)\s+"
    r"(?:clear|stable|clean|good|normal))\b",
    re.I,
)
_US_ABBR_RE = re.compile(
    r"\b(?:abdominal|pelvic|renal|transvaginal|transabdominal|doppler|bedside|breast|thyroid|"
    r"obstetric|fetal|RUQ|neck|scrotal|testicular|carotid|liver|TV)\s+US\b"
    r"|\bUS[-\s](?:guided|shows|showed|demonstrates|demonstrated|findings|exam|images?)\b"
    r"|\bUS\s+(?:and|or|/)\s+(?:CT|MRI)\b|\b(?:CT|MRI)\s+(?:and|or|/)\s+US\b"
)
_MR_ABBR_RE = re.compile(
    r"\bMR\s*(?:imaging|images?|scans?|angiography|enterography|spectroscopy|guided|-guided|findings)\b|\b(?:breast|cardiac|prostate|brain|knee|spine)\s+MR\b"
)
_HASHTAG_IMAGING_RE = re.compile(
    r"radiolog|mammo(?!th)|ultrasound|sonograph|radiograph|xray|ctscan|petct|nucmed|neurorad|"
    r"mskrad|pedsrad|imaging"
)
_SCAN_VERB_RE = re.compile(
    r"\bscan(?:s|ning|ned)?\s+(?:for|the|through|your|this|it|here|to|a\s+qr|over|across|"
    r"the\s+room|headlines)\b|\bthe\s+scan:|\bnews\s+scan\b|\bscanning\s+(?:party|the)\b",
    re.I,
)

_CT_STRONG_RE = re.compile(
    r"\bc\.?t\.?\s*[-/]?\s*(?:scans?|scanners?|scanning|angiogra\w*|colonograph\w*|urogra\w*|"
    r"enterograph\w*|imaging|exams?|guided|perfusion|images?|findings|dose|radiation)\b"
    r"|\bcat\s+scans?\b|\bcomputed\s+(?:axial\s+)?tomography\b"
    r"|\b(?:low[-\s]dose|ldct|chest|head|abdominal|abdomen|pelvic|cardiac|coronary|spiral|"
    r"helical|contrast|non[-\s]?contrast|whole[-\s]body|dental|cone[-\s]beam|brain|sinus|spine|"
    r"renal|lung|thoracic|body|pet|spect)\s*[-/]?\s*ct\b"
    r"|\bct\s*(?:/|or|and|vs\.?|versus)\s*(?:mri|mr|pet|x-?rays?|ultrasound)\b"
    r"|\b(?:mri|mr|x-?rays?|ultrasounds?)\s*(?:/|or|and|vs\.?|versus)\s*ct\b",
    re.I,
)
_CT_BARE_RE = re.compile(r"(?<![\w#])#?CT(?![\w])")
_PCR_RE = re.compile(
    r"\bc[tT]\s*(?:values?|scores?|of\s*\d|[<>=≤≥]|\d{2}\b)|cycle\s+threshold", re.I
)
_CT_STATE_RE = re.compile(
    r"\bconnecticut\b"
    r"|[A-Z][a-z]+,\s*CT\b"  # Hartford, CT
    r"|\bCT\s+0\d{4}\b"  # zip code
    r"|\b[A-Z]{2},\s*CT\b|\bCT,\s*[A-Z]{2}\b"  # KY, CT, MD
    r"|#[A-Z][A-Za-z]+\s+#CT\b"  # #Greenwich #CT
    r"|\bCT\s+(?:doctors?|physicians?|residents?|hospitals?|officials?|lawmakers?|legislat\w*|"
    r"governor|gov\.?|senate|house|court|courts|town|towns|state|health\s+insurance|"
    r"health\s+exchange|exchange|marketplace|medicaid|insurers?|law|laws|voters?|schools?|teens?|"
    r"man|woman|police|residents|attorney|ag|dept|department|dph|families)\b"
    r"|\b(?:in|from|across|of|to|throughout)\s+CT\b(?![-/]?\s*(?:scans?|images?|imaging))",
)

_PET_STRONG_RE = re.compile(
    r"\bPET\s*[-/]?\s*(?:CT|MRI|MR|scans?|scanners?|scanning|imaging|tracers?|stud(?:y|ies)|"
    r"images?|findings|positive|negative)\b"
    r"|\b(?:fdg|psma|amyloid|tau|fdopa|dopamine|dotatate|choline|fluciclovine|fes|ga-68|"
    r"18f-fdg)[\s-]*pet\b"
    r"|\bpositron\s+emission\b",
    re.I,
)
_PET_UPPER_RE = re.compile(r"(?<![\w#])PET(?![\w])")
_PET_ANIMAL = frozenset(
    "dog dogs cat cats puppy kitten vet vets animal animals microchip owner owners".split()
)
_PET_CLINICAL = frozenset(
    """cancer cancers brain tumor tumors tumour scan scans imaging tracer patients alzheimer
    alzheimer's dementia consciousness vegetative oncology nuclear radiology diagnosis""".split()
)

_SCREEN_TRIGGERS = frozenset(
    "screening screenings screen screened dense density densities smokers aaa".split()
)
_SCREEN_RE = re.compile(
    r"(?P<breast>\bbreast(?:[-\s]cancer)?[-\s]screen(?:ing|ings|s)?\b|\bscreening\s+(?:for|of)\s+"
    r"breast\s+cancer\b|\bdense\s+breasts?\b|\bbreast\s+(?:tissue\s+)?densit(?:y|ies)\b"
    r"|\bdense\s+breast\s+tissue\b)"
    r"|(?P<lung>\blung[-\s](?:cancer[-\s])?screen(?:ing|ings|s)?\b|\bscreen(?:ing)?\s+(?:for|of)\s+"
    r"lung\s+cancer\b|\bscreening\s+(?:for|of)\s+(?:heavy\s+|former\s+|current\s+)?smokers\b)"
    r"|(?P<aaa>\b(?:aaa|aortic\s+aneurysm)\s+screening\b)",
    re.I,
)

# therapy senses of "ultrasound" (no diagnostic context -> not imaging)
_US_THERAPY = frozenset(
    """therapy therapies treatment treatments treat treats treated kill kills killing fight fights
    restore restores restored zap zaps destroy destroys ablation hifu condom condoms contraceptive
    contraception sperm tumor-killing focused""".split()
)
_US_DIAGNOSTIC = frozenset(
    """scan scans imaging image images diagnosis diagnose diagnosed diagnostic detect detects
    detection detected screen screening find finds found pregnancy pregnant fetal foetal fetus
    baby babies ob-gyn ob-gyns check checks show shows showed reveal reveals revealed vs versus
    ct mri x-ray x-rays mammogram mammograms mammography sonographer radiologist radiologists
    measure measures measuring predict predicts exam dense gender waiting""".split()
)
_XRAY_NONMED = frozenset(
    """airport airports security tsa baggage luggage telescope telescopes astronomy astronomer
    astronomers crystallography galaxy galaxies nasa chandra synchrotron laser lasers
    vision""".split()
)
_MEDICAL_WORDS = frozenset(
    """patient patients doctor doctors hospital hospitals bone bones fracture fractures chest
    dental dentist dentists broken swallowed swallow lung lungs clinic clinics radiologist
    radiologists er medics medic nurse nurses injury injuries back pain children kids ankle
    ankles wrist knee hip technician technicians cost costs medicare""".split()
)
_IMAGING_NONMED = frozenset(
    """satellite satellites thermal camera cameras photo photos photography printer printers
    document documents disk hyperspectral telescope astronomy""".split()
)
_RADIOLOGICAL_HAZARD_RE = re.compile(
    r"\bradiological\s+(?:emergenc\w+|contamination|hazards?|weapons?|dispersal|incidents?|"
    r"release|threats?|terror\w*|attacks?|materials?|protection|accidents?|disasters?|"
    r"monitoring|dirty)\b",
    re.I,
)
_MAGNETIC_RE = re.compile(
    r"\bmagnetic\s+resonance\b|\bnuclear\s+medicine\b|\bmolecular\s+imaging\b", re.I
)
_IMAGING_HANDLE_RE = re.compile(r"radiolog|imaging|rsna|radres|sonograph|mammo|nucmed|xray")


def _ct_cues(doc: Doc, cues: list[Cue], vetoes: list[str], has_other: bool) -> None:
    raw = doc.text
    m = _CT_STRONG_RE.search(raw)
    if m and not _PCR_RE.search(m.group(0)):
        cues.append(Cue(f"'{m.group(0).strip()}'", STRONG, "ct"))
        return
    if not _CT_BARE_RE.search(raw):
        return
    if _PCR_RE.search(raw):
        vetoes.append("'Ct' is a PCR cycle-threshold value")
        return
    st = _CT_STATE_RE.search(raw)
    if st:
        vetoes.append(f"'CT' = Connecticut ('{st.group(0).strip()}')")
        return
    if has_other or (doc.tokset & _CLINICAL):
        ctx = sorted(doc.tokset & _CLINICAL)[:3]
        cues.append(
            Cue(
                "'CT' with clinical context" + (f" ({', '.join(ctx)})" if ctx else ""),
                CONTEXT,
                "ct",
            )
        )
    else:
        vetoes.append("bare 'CT' without clinical context (Connecticut? abbreviation?)")


def _pet_cues(doc: Doc, cues: list[Cue], vetoes: list[str]) -> None:
    raw = doc.text
    m = _PET_STRONG_RE.search(raw)
    if m:
        # "pet scan" written in lower/title case next to animal words is a pet, not PET
        if m.group(0)[:3] in ("pet", "Pet") and doc.tokset & _PET_ANIMAL:
            vetoes.append("'pet scan' of an animal")
            return
        cues.append(Cue(f"'{m.group(0).strip()}'", STRONG, "pet_spect"))
        return
    if _PET_UPPER_RE.search(raw) and not raw.isupper():
        if doc.tokset & _PET_CLINICAL and not doc.tokset & _PET_ANIMAL:
            cues.append(Cue("'PET' with clinical context", CONTEXT, "pet_spect"))
        else:
            vetoes.append("'PET' without imaging context")
    elif "pet" in doc.tokset or "pets" in doc.tokset:
        vetoes.append("'pet' = animal")


def _scan_cues(doc: Doc, cues: list[Cue], vetoes: list[str]) -> None:
    toks = doc.tokens
    ts = doc.tokset
    nonmed = ts & _SCAN_NONMEDICAL
    if nonmed:
        vetoes.append(f"non-medical scan ({', '.join(sorted(nonmed)[:2])})")
        return
    verb = _SCAN_VERB_RE.search(doc.text)
    # a body-part / medical modifier right before the scan word
    for i, tok in enumerate(toks):
        if tok in _SCAN_TOKENS:
            prev = toks[max(0, i - 2) : i]
            mods = [p for p in prev if p in _SCAN_MODIFIERS]
            if tok.startswith("scanner") and mods and mods[-1].endswith("body"):
                vetoes.append("'body scanner' (security scanner)")
                return
            if mods:
                cues.append(Cue(f"'{mods[-1]} {tok}'", MEDIUM, _SCAN_MODALITY.get(mods[-1])))
                return
    if verb:
        vetoes.append(f"'{verb.group(0).strip()}' (scan = search/look through)")
        return
    pm = _SCAN_PATIENT_RE.search(doc.text)
    if pm:
        cues.append(Cue(f"'{pm.group(0).strip()}'", CONTEXT))
        return
    ctx = ts & _CLINICAL - _SCAN_TOKENS
    if ctx:
        cues.append(Cue(f"'scan' with clinical context ({', '.join(sorted(ctx)[:3])})", CONTEXT))
    else:
        vetoes.append("'scan' without clinical context")


def imaging_cues(item: Post | Doc | str, registry: Registry | None = None) -> ImagingCues:
    """The imaging cues of a post (cached on the Doc); the basis of relevance and modality."""
    doc = prepare(item)
    hit = doc.cache.get("imaging_cues")
    if hit is not None:
        return hit
    reg = registry if registry is not None else default_registry()
    ts = doc.tokset
    cues: list[Cue] = []
    vetoes: list[str] = []

    for tok in ts & _TOKEN_CUE_SET:
        modality, strength = _TOKEN_CUES[tok]
        cues.append(Cue(f"'{tok}'", strength, modality))
    if cues:
        _apply_token_vetoes(doc, cues, vetoes)

    if ("magnetic" in ts or "nuclear" in ts or "molecular" in ts) and (
        m := _MAGNETIC_RE.search(doc.text)
    ):
        phrase = m.group(0).lower()
        cues.append(
            Cue(
                f"'{phrase}'",
                STRONG,
                "mri" if "magnetic" in phrase else ("pet_spect" if "nuclear" in phrase else None),
            )
        )

    if "ct" in ts or "cat" in ts or "tomography" in ts or "ldct" in ts:
        _ct_cues(doc, cues, vetoes, has_other=bool(cues))
    if "pet" in ts or "pets" in ts or "positron" in ts:
        _pet_cues(doc, cues, vetoes)
    if ts & _SCAN_TOKENS and not any(c.strength >= MEDIUM for c in cues):
        _scan_cues(doc, cues, vetoes)
    if ts & _SCREEN_TRIGGERS:
        for m in _SCREEN_RE.finditer(doc.text):
            kind = m.lastgroup
            mod = {"breast": "mammography", "lung": "ct", "aaa": "ultrasound"}[kind or "breast"]
            cues.append(
                Cue(f"'{m.group(0).strip()}' (imaging-based screening)", MEDIUM - 0.05, mod)
            )

    if ("us" in ts or "mr" in ts) and (
        m := _US_ABBR_RE.search(doc.text) or _MR_ABBR_RE.search(doc.text)
    ):
        cues.append(
            Cue(f"'{m.group(0).strip()}'", MEDIUM, "mri" if "MR" in m.group(0) else "ultrasound")
        )

    for tag in doc.hashtags:
        im = reg.is_imaging_hashtag(tag)
        if im is True:
            cues.append(Cue(f"#{tag}", STRONG))
        elif im is False:
            vetoes.append(f"#{tag} is not imaging")
        elif im is None and _HASHTAG_IMAGING_RE.search(tag):
            cues.append(Cue(f"#{tag}", MEDIUM))
    if not cues and doc.urls:
        _url_cues(doc, cues)
    for handle in doc.mentions:
        ent = reg.entity_for_handle("x", handle)
        if (ent is not None and ent.imaging) or (ent is None and _IMAGING_HANDLE_RE.search(handle)):
            cues.append(Cue(f"mentions @{handle}", CONTEXT))

    out = ImagingCues(tuple(cues), tuple(vetoes))
    doc.cache["imaging_cues"] = out
    return out


_URL_WORD_RE = re.compile(r"[a-z0-9]+")


def _url_cues(doc: Doc, cues: list[Cue]) -> None:
    """Words of a link's path ("/brain-scans-may-predict-...") are weak evidence."""
    for url in doc.urls:
        if "-" not in url and "_" not in url:
            continue  # shortener ids (bit.ly/1aR7W0f) carry no words
        path = url.split("/", 3)[-1] if url.count("/") >= 3 else ""
        words = _URL_WORD_RE.findall(path.lower())
        if not words:
            continue
        hits = [w for w in words if w in _TOKEN_CUE_SET]
        if hits:
            cues.append(Cue(f"link mentions '{hits[0]}'", CONTEXT, _TOKEN_CUES[hits[0]][0]))
            return
        for i, w in enumerate(words[1:], 1):
            if w in ("scan", "scans") and words[i - 1] in _SCAN_MODIFIERS:
                cues.append(Cue(f"link mentions '{words[i - 1]} {w}'", CONTEXT))
                return
            if w in ("scan", "scans") and words[i - 1] == "ct":
                cues.append(Cue("link mentions 'ct scan'", CONTEXT, "ct"))
                return


def _apply_token_vetoes(doc: Doc, cues: list[Cue], vetoes: list[str]) -> None:
    ts = doc.tokset
    keep: list[Cue] = []
    for c in cues:
        word = c.reason.strip("'")
        if c.modality == "ultrasound" and ts & _US_THERAPY and not ts & _US_DIAGNOSTIC:
            vetoes.append(f"ultrasound as therapy ({', '.join(sorted(ts & _US_THERAPY)[:2])})")
            continue
        if (
            c.modality == "radiography"
            and word.startswith("x")
            and ts & _XRAY_NONMED
            and not ts & _MEDICAL_WORDS
        ):
            vetoes.append(f"non-medical X-ray ({', '.join(sorted(ts & _XRAY_NONMED)[:2])})")
            continue
        if (
            word in ("imaging", "imager", "imagers")
            and ts & _IMAGING_NONMED
            and not ts & _MEDICAL_WORDS
        ):
            vetoes.append(f"non-medical imaging ({', '.join(sorted(ts & _IMAGING_NONMED)[:2])})")
            continue
        if word == "radiological" and _RADIOLOGICAL_HAZARD_RE.search(doc.text):
            vetoes.append("'radiological' hazard (radiation protection, not imaging)")
            continue
        keep.append(c)
    cues[:] = keep


class RelevanceClassifier:
    name = "relevance-rules"
    task = "relevance"
    version = "1.0"
    description = (
        "Is the post about medical imaging / radiology? Rule cues with word-sense vetoes "
        "(Connecticut CT, PCR Ct, pets, scandal/QR scans, radiotherapy, airport screening)."
    )
    values = ("relevant", "not_relevant")
    multi_label = False

    def __init__(self, registry: Registry | None = None):
        self.registry = registry

    def decide(self, item: Post | Doc | str) -> tuple[str, float, tuple[str, ...], ImagingCues]:
        cues = imaging_cues(item, self.registry)
        if cues.relevant:
            ordered = sorted(cues.cues, key=lambda c: -c.strength)
            return "relevant", cues.score, tuple(c.reason for c in ordered), cues
        if cues.vetoes:
            return "not_relevant", 0.8, tuple(f"veto: {v}" for v in cues.vetoes), cues
        return "not_relevant", 0.95, ("no imaging cue",), cues

    def _label(self, item: Post | Doc | str, key: Any) -> list[Label]:
        value, score, reasons, _ = self.decide(item)
        return [Label(self.task, value, score, reasons, "rule", self.version, self.name, key)]

    def classify(self, post: Post | Doc) -> list[Label]:
        doc = prepare(post)
        return self._label(doc, label_key(doc.post))

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        return self._label(Doc(text, context.get("hashtags")), None)

    def is_relevant(self, item: Post | Doc | str) -> bool:
        return imaging_cues(item, self.registry).relevant
