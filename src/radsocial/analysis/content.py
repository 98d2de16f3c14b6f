"""Content category: the codebook of domain.md §4 (multi-label).

education · research · conference · patient_information · patient_experience · policy ·
training_careers · ai_informatics · promotion · news · personal

Each category is decided by cue words (token-set lookups, so an unrelated post costs a
few set intersections) and a few phrases; the reasons list the words found. A post may
have several categories or none. The definitions and word lists are in
docs/classifiers.md; the rules are deliberately transparent so a coder can predict them.
"""

from __future__ import annotations

import re
from typing import Any

from radsocial.analysis.base import Label, label_key
from radsocial.analysis.taxonomy import CONTENT_CATEGORIES
from radsocial.analysis.text import Doc, PhraseMatcher, prepare
from radsocial.knowledge.registry import Registry, default_registry
from radsocial.models import Post

__all__ = ["ContentClassifier"]


def _ws(s: str) -> frozenset[str]:
    return frozenset(s.split())


_WORDS: dict[str, frozenset[str]] = {
    "education": _ws(
        """teaching lecture lectures quiz tutorial tutorials webinar webinars course courses foamrad
        foamed meded anatomy differential pearl pearls teachingfile casereport caseoftheday
        learnradiology radiopaedia curriculum cme ddx"""
    ),
    "research": _ws(
        """study studies research researchers researcher trial trials published publication paper
        papers findings meta-analysis cohort doi pubmed preprint jama nejm lancet bmj abstract
        abstracts evidence scientists investigators"""
    ),
    "conference": _ws(
        """conference congress symposium summit plenary keynote booth posters poster convention
        annualmeeting"""
    ),
    "policy": _ws(
        """medicare medicaid insurance insurer insurers reimbursement reimbursements cost costs price
        prices pricing billed billing payment payments payer payers coverage law laws legislation
        legislators congress senate policy policies regulation regulations regulators fda cms
        guideline guidelines uspstf mandate mandates lawsuit court ruling ban tax obamacare aca
        budget funding value-based appropriateness tariff tariffs government nice"""
    ),
    "training_careers": _ws(
        """resident residents residency residencies fellowship fellowships match trainee trainees
        student students workforce job jobs hiring career careers shortage shortages burnout strike
        strikes mentor mentors mentoring mentorship diversity womeninradiology radres recruitment
        radiographers sonographers apprenticeship"""
    ),
    "ai_informatics": _ws(
        """ai algorithm algorithms radai informatics pacs software app apps digital computer
        computer-aided automation automated robot robotic chatgpt llm llms siim cloud 3d-printing
        telemedicine teleradiology ehr dicom deep-learning machinelearning deeplearning"""
    ),
    "promotion": _ws(
        """register registration discount offer sale buy shop demo giveaway coupon promo launch
        launches launched introducing sponsored sponsor"""
    ),
}
_WORD_CATS: dict[str, tuple[str, ...]] = {}
for _cat, _words in _WORDS.items():
    for _w in _words:
        _WORD_CATS[_w] = (*_WORD_CATS.get(_w, ()), _cat)
_ALL_WORDS = frozenset(_WORD_CATS)

_PHRASES = PhraseMatcher(
    {
        "education": [
            "case of the day",
            "case of the week",
            "what's your diagnosis",
            "what is your diagnosis",
            "what's the diagnosis",
            "teaching file",
            "teaching case",
            "teaching point",
            "how to read",
            "classic sign",
            "classic finding",
            "classic case",
            "spot the",
            "name this sign",
            "name that sign",
        ],
        "research": [
            "study finds",
            "study says",
            "study shows",
            "study suggests",
            "according to study",
            "new research",
        ],
        "conference": [
            "annual meeting",
            "scientific session",
            "scientific assembly",
            "scientific meeting",
            "poster session",
            "see you at",
            "visit us at",
            "visit our booth",
        ],
        "patient_information": [
            "what to expect",
            "should you",
            "how to prepare",
            "ask your doctor",
            "ask your radiologist",
            "questions to ask",
            "what you need to know",
            "what you should know",
            "things you should know",
            "right for you",
            "faq",
            "faqs",
            "when should you get",
            "do you need",
            "before you consent",
            "before you get",
            "experts say you",
            "here's how",
            "here's what",
            "here's why",
            "tips for",
            "tips on",
            "advice for",
            "advice on",
            "your mammogram",
            "your scan",
            "your mri",
            "your ct",
            "your x-ray",
            "your ultrasound",
            "your doctor",
            "your radiologist",
            "your results",
            "your risk",
            "how to",
        ],
        "patient_experience": [
            "my mammogram",
            "my scan",
            "my scans",
            "my mri",
            "my ct",
            "my x-ray",
            "my ultrasound",
            "my biopsy",
            "my results",
            "my radiologist",
            "my diagnosis",
            "i had a",
            "i had an",
            "i had my",
            "had my",
            "waiting for results",
            "waiting for my results",
            "waiting on results",
            "scanxiety",
            "claustrophobic",
            "thank you to the",
            "thank you to my",
            "tech was",
            "staff was",
            "staff were",
            "my experience",
            "my journey",
        ],
        "policy": [
            "task force",
            "prior authorization",
            "prior authorisation",
            "value-based",
            "health law",
            "health policy",
            "health reform",
            "out of pocket",
            "public health",
        ],
        "training_careers": [
            "medical student",
            "medical students",
            "med student",
            "med students",
            "we're hiring",
            "match day",
        ],
        "ai_informatics": [
            "artificial intelligence",
            "machine learning",
            "deep learning",
            "neural network",
            "neural networks",
            "computer vision",
            "3d printing",
            "3-d printing",
            "large language model",
            "data science",
            "health it",
        ],
        "promotion": [
            "sign up",
            "learn more",
            "book now",
            "book your",
            "visit our",
            "free trial",
            "limited time",
            "now available",
            "available now",
            "contact us",
            "call us",
            "order now",
            "order today",
            "register now",
            "register today",
            "register here",
            "don't miss",
            "check out our",
            "our new",
            "schedule your appointment",
            "schedule your mammogram",
        ],
    }
)
_AI_RE = re.compile(r"(?<![\w#])AI(?![\w])")
_PERCENT_OFF_RE = re.compile(r"\d+% off\b")
_MATCH_TAG_RE = re.compile(r"^match(?:day)?(?:20)?\d\d$")
_NEWS_VERBS = _ws(
    """says said finds found reports reported announces announced approves approved clears cleared
    warns warned launches reveals revealed linked shows urges calls plans sues charged arrested
    confirms rises falls"""
)
_PERSONAL_WORDS = _ws(
    """family kids husband wife daughter son vacation holiday holidays weekend birthday coffee dog cat
    wedding lunch dinner breakfast gym run running marathon beach garden movie music friends mom
    dad baby home tired sleep"""
)
_FIRST_SINGULAR = _ws("i i'm im me my mine myself")
_SECOND = _ws("you your you're yours")
_EXAM_WORDS = _ws(
    "mammogram mammograms scan scans mri ct x-ray ultrasound biopsy results radiologist"
)
_FIRST_SECOND = _FIRST_SINGULAR | _SECOND


class ContentClassifier:
    name = "content-rules"
    task = "content"
    version = "1.0"
    description = (
        "Codebook content categories (domain.md §4) from cue words and phrases (multi-label)."
    )
    values = CONTENT_CATEGORIES
    multi_label = True

    def __init__(self, registry: Registry | None = None):
        self.registry = registry

    def categories(
        self, item: Post | Doc | str, author_kind: str | None = None
    ) -> dict[str, tuple[str, ...]]:
        doc = prepare(item)
        ts = doc.tokset
        found: dict[str, list[str]] = {}
        for w in ts & _ALL_WORDS:  # one intersection, then word -> categories
            for cat in _WORD_CATS[w]:
                found.setdefault(cat, []).append(w)
        for cat, phrases in _PHRASES.find(doc).items():
            found.setdefault(cat, []).extend(phrases[:2])
        if "ai" in ts:
            ai = found.get("ai_informatics")
            if ai is not None and ai[0] == "ai" and len(ai) == 1 and not _AI_RE.search(doc.text):
                del found["ai_informatics"]  # lower-case "ai" alone is not a reliable cue
        if "%" in doc.text and "off" in ts and (m := _PERCENT_OFF_RE.search(doc.lower)):
            found.setdefault("promotion", []).append(m.group(0))
        if "patient_experience" in found and not (ts & _FIRST_SINGULAR):
            del found["patient_experience"]
        if "patient_information" in found and not (ts & _SECOND):
            kept = [
                p
                for p in found["patient_information"]
                if p.startswith(("how to", "tips", "advice", "what to", "questions", "faq"))
            ]
            if kept:
                found["patient_information"] = kept
            else:
                del found["patient_information"]
        if doc.hashtags:
            reg = self.registry if self.registry is not None else default_registry()
            for tag in doc.hashtags:
                kind = reg.hashtag_kind(tag)
                if kind == "conference":
                    found.setdefault("conference", []).append(f"#{tag}")
                elif kind == "tweetchat" and "education" not in found:
                    found.setdefault("education", []).append(f"#{tag} (tweetchat)")
                elif _MATCH_TAG_RE.match(tag):
                    found.setdefault("training_careers", []).append(f"#{tag}")
        # news: shared by a news organisation, or a headline with a link and no I/you
        if author_kind in ("media_outlet", "journalist"):
            found.setdefault("news", []).append(f"author is {author_kind}")
        elif doc.urls and not (ts & _FIRST_SECOND) and (ts & _NEWS_VERBS or "research" in found):
            verbs = sorted(ts & _NEWS_VERBS)
            found.setdefault("news", []).append(
                f"headline with link ({verbs[0] if verbs else 'study'})"
            )
        if ts & _FIRST_SINGULAR and ts & _PERSONAL_WORDS and not (ts & _EXAM_WORDS):
            found.setdefault("personal", []).extend(sorted(ts & _PERSONAL_WORDS)[:2])
        if not found:
            return {}
        return {c: tuple(dict.fromkeys(found[c]))[:4] for c in CONTENT_CATEGORIES if c in found}

    def _labels(self, doc: Doc, key: Any, author_kind: str | None) -> list[Label]:
        return [
            Label(self.task, c, 0.7, reasons, "rule", self.version, self.name, key)
            for c, reasons in self.categories(doc, author_kind).items()
        ]

    def classify(self, post: Post | Doc, author_kind: str | None = None) -> list[Label]:
        doc = prepare(post)
        return self._labels(doc, label_key(doc.post), author_kind)

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        return self._labels(Doc(text, context.get("hashtags")), None, context.get("author_kind"))
