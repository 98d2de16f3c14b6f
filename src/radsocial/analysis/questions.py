"""Questions and answers: genuine questions, rhetorical/headline questions, tweetchat Q/A.

Values (taxonomy.QUESTION_VALUES):

* ``chat_question`` — a tweetchat prompt: "Q1: ...", "Q2. ...", "T3: ...?" (topic
  prompts, as #abcDrBchat writes them) or "First question - ..."; `extra["number"]`
  holds the number. A "Q3"/"T3" prefix on a post *without* a question mark is an
  answer written under that prompt (experts often answer so), so it is a chat_answer.
* ``chat_answer`` — "A1: ...", "A2 ...", with the number.
* ``rhetorical_question`` — a question that does not ask for an answer: a headline
  ("Do you need a 3-D mammogram? http://..."), a teaser ("Need another reason to...?",
  "Guess what?", "Who knew?") or a post from a news organisation ending in a link.
* ``question`` — a question that asks someone for an answer: addressed to someone
  (@reply), asking for tips/advice/opinions ("any tips?", "does anyone...", "what do
  you think?"), or a question from a person without a link.
* ``none`` — no question.
"""

from __future__ import annotations

import re
from typing import Any

from radsocial.analysis.base import Label, label_key
from radsocial.analysis.taxonomy import QUESTION_VALUES
from radsocial.analysis.text import Doc, prepare
from radsocial.models import Post

__all__ = ["QuestionClassifier", "chat_marker"]

_PREFIX = r"^\s*(?:RT\s+@\w+:?\s*|MT\s+@\w+:?\s*)?(?:(?:\.?@\w+[\s,:]*)+)?"
_CHAT_RE = re.compile(_PREFIX + r"(?P<kind>[QAT])\s?(?P<num>\d{1,2})\b\s*(?:[:.)\-–—]|\s)", re.I)
_ORDINAL_RE = re.compile(
    r"\b(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|next|final|last)\s+question\b",
    re.I,
)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_RHETORICAL_RE = re.compile(
    r"\b(?:who knew|why not|guess what|what could (?:possibly )?go wrong|can you believe|isn'?t it|right\?|"
    r"how (?:cool|awesome|great|amazing|sad|crazy) is that|what'?s not to love|need (?:another|more) reasons?|"
    r"looking for|want to|ever wonder(?:ed)?|did you know|are you ready|who'?s ready|why wait|have you heard|"
    r"what are you waiting for|who doesn'?t)\b",
    re.I,
)
_GENUINE_RE = re.compile(
    r"\b(?:any (?:tips|advice|recommendations?|suggestions?|ideas|thoughts|experience|recs)|does anyone|"
    r"anyone (?:know|else|have|tried|been)|can (?:someone|anyone|you (?:help|tell|recommend|share))|"
    r"what do you (?:think|recommend|use|suggest)|how do (?:i|we|you)|where (?:can|do|should) (?:i|we)|"
    r"should (?:i|we)|is there (?:a|an|any)|thoughts\?|what are your|help\?|how (?:long|much|many) (?:does|do|did|is|will)|"
    r"who (?:else|has|is going)|when (?:is|does|will) the|which (?:one|is better)|your (?:thoughts|experience))",
    re.I,
)
_URL_AFTER_Q_RE = re.compile(r"\?\s*(?:[\w'’\".,:;!&-]+\s+){0,8}?(?:https?://|www\.)", re.I)


def chat_marker(text: str) -> tuple[str, int] | None:
    """("Q"|"A"|"T", number) when the post starts with a tweetchat marker, else None."""
    m = _CHAT_RE.match(text or "")
    if m:
        return m.group("kind").upper(), int(m.group("num"))
    return None


class QuestionClassifier:
    name = "questions-rules"
    task = "question"
    version = "1.0"
    description = "Genuine vs rhetorical/headline questions; tweetchat Q1/A1 prompts and answers with their number."
    values = QUESTION_VALUES
    multi_label = False

    def decide(
        self, text: str, author_kind: str | None = None
    ) -> tuple[str, float, tuple[str, ...], dict[str, Any]]:
        text = text or ""
        has_q = "?" in text
        mk = chat_marker(text)
        if mk is not None:
            kind, num = mk
            if kind == "A" or (kind in ("Q", "T") and not has_q):
                return "chat_answer", 0.9, (f"'{kind}{num}' answer marker",), {"number": num}
            return "chat_question", 0.9, (f"'{kind}{num}' question marker",), {"number": num}
        if has_q:
            om = _ORDINAL_RE.search(text)
            if om:
                num = _ORDINALS.get(om.group("ord").lower())
                return "chat_question", 0.75, (f"'{om.group(0)}'",), {"number": num} if num else {}
            body = text.strip()
            gm = _GENUINE_RE.search(text)
            if gm:
                return "question", 0.8, (f"asks: '{gm.group(0)}'",), {}
            if body.startswith(("@", ".@")) and not body.startswith("RT "):
                return "question", 0.75, ("question addressed to someone (reply)",), {}
            rm = _RHETORICAL_RE.search(text)
            if rm:
                return "rhetorical_question", 0.75, (f"teaser: '{rm.group(0)}'",), {}
            if _URL_AFTER_Q_RE.search(text):
                return "rhetorical_question", 0.7, ("question followed by a link (headline)",), {}
            if author_kind in ("media_outlet", "journal_publisher", "vendor_industry"):
                return "rhetorical_question", 0.6, (f"question posted by a {author_kind}",), {}
            return "question", 0.6, ("question mark, no headline/teaser pattern",), {}
        return "none", 0.9, ("no question mark or chat marker",), {}

    def _labels(self, doc: Doc, key: Any, author_kind: str | None) -> list[Label]:
        value, score, reasons, extra = self.decide(doc.raw, author_kind)
        return [
            Label(self.task, value, score, reasons, "rule", self.version, self.name, key, extra)
        ]

    def classify(self, post: Post | Doc, author_kind: str | None = None) -> list[Label]:
        doc = prepare(post)
        return self._labels(doc, label_key(doc.post), author_kind)

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        return self._labels(Doc(text), None, context.get("author_kind"))
