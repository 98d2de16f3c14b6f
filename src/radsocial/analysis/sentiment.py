"""Sentiment: negative / neutral / positive, with VADER (vaderSentiment's lexicon).

`FastVader` is a line-by-line port of `vaderSentiment.SentimentIntensityAnalyzer.
polarity_scores` (version 3.3.2) that gives *identical* scores (tested against the
original on every gold text and in the benchmark on 51k tweets) at several times the
speed: the original rebuilds lower-cased word lists for every sentiment word and runs
the full per-word machinery on words that are not in the lexicon. The port lower-cases
once, skips non-lexicon words (their valence is 0 whatever their neighbours) and returns
the neutral result straight away when no word of the text is in the lexicon (a third of
health tweets). Its quirks (the `but` rule, idiom checks) are kept on purpose.

`SentimentClassifier` adds one documented domain adjustment (version "1.0"): in health
posts some lexicon words name the topic rather than an attitude — "cancer", "tumor",
"risk(s)", "benign", "emergency"; "care" after "health"/"palliative"...; "free" after
"gluten"/"cancer"...; "positive"/"negative" after "test(ed)"/"false"/"HIV"...; "attack"
after "heart". These tokens are treated as not in the lexicon (`medical_neutral=False`
turns this off and gives plain VADER). Thresholds are VADER's: compound >= 0.05
positive, <= -0.05 negative, else neutral.
"""

from __future__ import annotations

import math
import string
from typing import Any

from radsocial.analysis.base import Label, label_key
from radsocial.analysis.taxonomy import SENTIMENTS
from radsocial.analysis.text import Doc, prepare
from radsocial.models import Post

__all__ = ["FastVader", "SentimentClassifier", "load_vader"]

try:  # vaderSentiment is a runtime dependency; import lazily so the error is clear
    from vaderSentiment import vaderSentiment as _vs
except ImportError:  # pragma: no cover - exercised only without the dependency
    _vs = None

_PUNCT = string.punctuation
_MARK = "\x00"  # stands for "a space goes here unless there is one" while demojizing
_NEUTRAL_ALWAYS = frozenset("cancer tumor risk risks benign emergency".split())
_NEUTRAL_AFTER = {
    "care": frozenset(
        """health healthcare medical primary palliative patient intensive urgent child critical
        long-term skilled cancer home aged managed dental eye foster respite hospice nursing acute
        social maternity day self-""".split()
    ),
    "free": frozenset(
        """gluten cancer smoke sugar dairy fat drug tobacco ebola disease nut soy egg allergen
        lactose grain caffeine alcohol pain symptom tumor tumour hiv malaria polio""".split()
    ),
    "positive": frozenset(
        "test tests tested testing false hiv ebola covid her2 er pr node nodes gram".split()
    ),
    "negative": frozenset(
        "test tests tested testing false hiv ebola covid her2 er pr node nodes gram".split()
    ),
    "attack": frozenset("heart asthma".split()),
}


def load_vader() -> Any:
    if _vs is None:
        raise ImportError(
            "sentiment needs the 'vaderSentiment' package (pure Python, lexicon included): "
            "pip install vaderSentiment"
        )
    return _vs


class FastVader:
    """Same scores as vaderSentiment's SentimentIntensityAnalyzer, faster."""

    def __init__(self) -> None:
        vs = load_vader()
        sia = vs.SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = sia.lexicon
        self.emojis: dict[str, str] = sia.emojis
        self.booster: dict[str, float] = vs.BOOSTER_DICT
        self.special: dict[str, float] = vs.SPECIAL_CASES
        self.negate = frozenset(vs.NEGATE)
        self.n_scalar: float = vs.N_SCALAR
        self.c_incr: float = vs.C_INCR
        # a word counts only if it is in the lexicon and not a booster (boosters score 0)
        self._scoring = frozenset(w for w in self.lexicon if w not in self.booster)
        self._idiom_words = frozenset(
            w
            for phrase in (*self.special, *(k for k in self.booster if " " in k))
            for w in phrase.split()
        )
        # vaderSentiment replaces emojis character by character, so only one-character
        # keys can ever match; a set test skips texts without any (nearly all of them)
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        # emoji -> NUL + description: one str.translate, then each NUL becomes the
        # space vaderSentiment inserts (or nothing after a space / at the start)
        self._emoji_table = {ord(k): _MARK + v for k, v in self.emojis.items() if len(k) == 1}

    # -- helpers, as in vaderSentiment -----------------------------------------------------
    def _demojize(self, text: str) -> str:
        """Each emoji -> its description, preceded by a space unless one is there already.

        vaderSentiment walks every character in Python; here a set test returns
        emoji-free texts unchanged and `str.translate` does the rest. "Unless one is
        there" means the input character before the emoji is " " (or the emoji starts
        the text), so an emoji right after another one gets a space, as in the original
        (no description starts or ends with a space, or holds a NUL).
        """
        if self._emoji_chars.isdisjoint(text):
            return text
        if _MARK in text:
            return self._demojize_loop(text)
        out = text.translate(self._emoji_table)
        if out[0] == _MARK:
            out = out[1:]
        return out.replace(" " + _MARK, " ").replace(_MARK, " ")

    def _demojize_loop(self, text: str) -> str:
        """vaderSentiment's own loop (for the texts that hold a NUL already)."""
        emojis = self.emojis
        out: list[str] = []
        prev_space = True
        for ch in text:
            if ch in emojis:
                if not prev_space:
                    out.append(" ")
                out.append(emojis[ch])
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out)

    @staticmethod
    def _words(text: str) -> list[str]:
        return [tok if len(st := tok.strip(_PUNCT)) <= 2 else st for tok in text.split()]

    def analyse(
        self, text: str, medical_neutral: bool = False
    ) -> tuple[dict[str, float], list[tuple[str, float]]]:
        """VADER scores plus the sentiment words and their final valence (the reasons).

        `medical_neutral` treats the topic words of sentiment.py's docstring as if they
        were not in the lexicon (False: exactly vaderSentiment's polarity_scores).
        """
        if text.isascii():
            text = text.strip()
            lower = self._words(text.lower())  # same as lower-casing each word (ASCII)
        else:
            text = self._demojize(text).strip()
            lower = [w.lower() for w in self._words(text)]
        n = len(lower)
        lex = self.lexicon
        scoring = self._scoring
        hits = [i for i, w in enumerate(lower) if w in scoring]
        neutral_idx: set[int] | None = None
        if medical_neutral and hits:
            for i in hits:
                w = lower[i]
                if w in _NEUTRAL_ALWAYS or (
                    w in _NEUTRAL_AFTER
                    and (
                        (i > 0 and lower[i - 1].strip(_PUNCT) in _NEUTRAL_AFTER[w])
                        or (w in ("positive", "negative") and i + 1 < n and lower[i + 1] == "for")
                    )
                ):
                    if neutral_idx is None:
                        neutral_idx = set()
                    neutral_idx.add(i)
            if neutral_idx:
                hits = [i for i in hits if i not in neutral_idx]
        if not hits:
            if n == 0:
                return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}, []
            return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}, []
        # str.isupper ignores punctuation, so the raw whitespace tokens give the same
        # answers as VADER's punctuation-stripped words (and the same indices)
        words = text.split()
        allcaps = sum(map(str.isupper, words))
        is_cap_diff = 0 < n - allcaps < n

        neutral = neutral_idx or ()
        booster = self.booster
        negate = self.negate
        nsc = self.n_scalar
        cinc = self.c_incr
        idiom_words = self._idiom_words
        sentiments = [0.0] * n
        contrib: list[tuple[str, float]] = []
        # the helpers of vaderSentiment (scalar_inc_dec, _negation_check, _least_check) are
        # inlined here with the same logic; _special_idioms_check is only called when two
        # words of its phrases are near (otherwise it provably returns valence unchanged)
        for i in hits:
            il = lower[i]
            if il == "kind" and i < n - 1 and lower[i + 1] == "of":
                continue
            valence = lex[il]
            if il == "no" and i != n - 1 and lower[i + 1] in lex and (i + 1) not in neutral:
                valence = 0.0
            if (
                (i > 0 and lower[i - 1] == "no")
                or (i > 1 and lower[i - 2] == "no")
                or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))
            ):
                valence = lex[il] * nsc
            if is_cap_diff and words[i].isupper():
                valence = valence + cinc if valence > 0 else valence - cinc
            for start_i in (0, 1, 2):
                if i <= start_i:
                    break
                j = i - start_i - 1
                lj = lower[j]
                if lj in lex and j not in neutral:
                    continue
                b = booster.get(lj)
                if b is not None:  # scalar_inc_dec
                    sc = -b if valence < 0 else b
                    if is_cap_diff and words[j].isupper():
                        sc = sc + cinc if valence > 0 else sc - cinc
                    if start_i == 1:
                        sc = sc * 0.95
                    elif start_i == 2:
                        sc = sc * 0.9
                    valence = valence + sc
                if start_i == 0:  # _negation_check
                    if lj in negate or "n't" in lj:
                        valence = valence * nsc
                elif start_i == 1:
                    if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                        valence = valence * 1.25
                    elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                        pass
                    elif lj in negate or "n't" in lj:
                        valence = valence * nsc
                else:
                    if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[
                        i - 1
                    ] in ("so", "this"):
                        valence = valence * 1.25
                    elif lower[i - 3] == "without" and (
                        lower[i - 2] == "doubt" or lower[i - 1] == "doubt"
                    ):
                        pass
                    elif lj in negate or "n't" in lj:
                        valence = valence * nsc
                    if sum(1 for w in lower[i - 3 : i + 3] if w in idiom_words) >= 2:
                        valence = self._special_idioms_check(valence, lower, i)
            if (
                i > 0
                and lower[i - 1] == "least"
                and not (lower[i - 1] in lex and (i - 1) not in neutral)
            ):
                if i > 1:  # _least_check
                    if lower[i - 2] != "at" and lower[i - 2] != "very":
                        valence = valence * nsc
                else:
                    valence = valence * nsc
            sentiments[i] = valence
            contrib.append((lower[i], valence))
        sentiments = self._but_check(lower, sentiments)
        return self._score_valence(sentiments, text), contrib

    def polarity_scores(self, text: str) -> dict[str, float]:
        return self.analyse(text)[0]

    def _special_idioms_check(self, valence: float, lower: list[str], i: int) -> float:
        special = self.special
        onezero = f"{lower[i - 1]} {lower[i]}"
        twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
        twoone = f"{lower[i - 2]} {lower[i - 1]}"
        threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
        threetwo = f"{lower[i - 3]} {lower[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special:
                valence = special[seq]
                break
        n = len(lower)
        if n - 1 > i:
            zeroone = f"{lower[i]} {lower[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in self.booster:
                valence = valence + self.booster[n_gram]
        return valence

    @staticmethod
    def _but_check(lower: list[str], sentiments: list[float]) -> list[float]:
        # kept exactly as vaderSentiment 3.3.2 writes it (index() finds the first equal value)
        if "but" in lower:
            bi = lower.index("but")
            for sentiment in sentiments:
                si = sentiments.index(sentiment)
                if si < bi:
                    sentiments.pop(si)
                    sentiments.insert(si, sentiment * 0.5)
                elif si > bi:
                    sentiments.pop(si)
                    sentiments.insert(si, sentiment * 1.5)
        return sentiments

    @staticmethod
    def _score_valence(sentiments: list[float], text: str) -> dict[str, float]:
        sum_s = float(sum(sentiments))
        ep = min(text.count("!"), 4) * 0.292
        qm_count = text.count("?")
        qm = 0.0
        if qm_count > 1:
            qm = qm_count * 0.18 if qm_count <= 3 else 0.96
        punct = ep + qm
        if sum_s > 0:
            sum_s += punct
        elif sum_s < 0:
            sum_s -= punct
        compound = sum_s / math.sqrt((sum_s * sum_s) + 15)
        compound = max(-1.0, min(1.0, compound))
        pos_sum = neg_sum = 0.0
        # most words score 0: drop them in C, then add up the others in their order
        nonzero = [s for s in sentiments if s]
        neu_count = len(sentiments) - len(nonzero)
        for s in nonzero:
            if s > 0:
                pos_sum += float(s) + 1
            elif s < 0:
                neg_sum += float(s) - 1
        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct
        total = pos_sum + math.fabs(neg_sum) + neu_count
        return {
            "neg": round(math.fabs(neg_sum / total), 3),
            "neu": round(math.fabs(neu_count / total), 3),
            "pos": round(math.fabs(pos_sum / total), 3),
            "compound": round(compound, 4),
        }


_VADER: FastVader | None = None


def _vader() -> FastVader:
    global _VADER
    if _VADER is None:
        _VADER = FastVader()
    return _VADER


class SentimentClassifier:
    name = "sentiment-vader"
    task = "sentiment"
    version = "1.0"
    description = (
        "VADER (vaderSentiment 3.3.2 lexicon, exact fast port) with medical topic words "
        "neutralised; compound >= 0.05 positive, <= -0.05 negative."
    )
    values = SENTIMENTS
    multi_label = False

    def __init__(self, medical_neutral: bool = True, threshold: float = 0.05):
        self.vader = _vader()
        self.medical_neutral = medical_neutral
        self.threshold = threshold

    def scores(self, text: str) -> tuple[str, float, dict[str, float], list[tuple[str, float]]]:
        scores, contrib = self.vader.analyse(text or "", self.medical_neutral)
        c = scores["compound"]
        if c >= self.threshold:
            value = "positive"
        elif c <= -self.threshold:
            value = "negative"
        else:
            value = "neutral"
        return value, c, scores, contrib

    def _label(self, text: str, key: Any) -> Label:
        value, c, scores, contrib = self.scores(text)
        if contrib:
            reasons = tuple([f"{w} ({v:+.2f})" for w, v in contrib[:4]])
        else:
            reasons = ("no sentiment word",)
        score = round(1.0 - abs(c) / self.threshold * 0.5, 4) if value == "neutral" else abs(c)
        return Label(self.task, value, score, reasons, "rule", self.version, self.name, key, scores)

    def classify(self, post: Post | Doc) -> list[Label]:
        doc = prepare(post)
        return [self._label(doc.raw, label_key(doc.post))]

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        return [self._label(text, None)]
