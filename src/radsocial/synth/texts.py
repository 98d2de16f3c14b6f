"""Radiology post texts: themes, templates and the segments the writers render.

A post's text is built once as a list of *segments* — plain text, a hashtag, a mention
or a link — and each writer renders the segments its own way: X computes code-point
entity indices and shows links as t.co URLs, Bluesky computes UTF-8 byte ranges for its
facets, Mastodon writes HTML anchors. One text, three faithful payloads.

Topic hashtags are the registry's (knowledge/data/hashtags.toml; tests check every tag
used here is a registry topic tag). Templates are grouped by theme; the author's role
picks the theme (patients write about their scans, journals about papers, vendors
about products) and the theme its tags. Some texts carry non-ASCII characters (é, →,
—, emoji) on purpose, so byte and code-point offsets differ and get exercised.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "LINK",
    "MENTION",
    "PLAIN",
    "TAG",
    "Content",
    "Texts",
]

PLAIN, TAG, MENTION, LINK = 0, 1, 2, 3

# --------------------------------------------------------------------------- vocabulary

VOCAB: dict[str, tuple[str, ...]] = {
    "finding": (
        "pneumothorax",
        "pulmonary embolism",
        "appendicitis",
        "subdural hematoma",
        "ACL tear",
        "renal cell carcinoma",
        "pancreatic cyst",
        "spiculated breast mass",
        "ground-glass nodule",
        "aortic dissection",
        "intussusception",
        "large vessel occlusion",
        "scaphoid fracture",
        "liver hemangioma",
        "pleural effusion",
        "small bowel obstruction",
        "osteoid osteoma",
        "meningioma",
        "thyroid nodule",
        "pneumoperitoneum",
        "Morel-Lavallée lesion",
        "Ménétrier disease",
    ),
    "modality": (
        "CT",
        "MRI",
        "ultrasound",
        "X-ray",
        "mammography",
        "PET/CT",
        "CT angiography",
        "tomosynthesis",
        "fluoroscopy",
        "SPECT",
    ),
    "region": ("chest", "abdomen", "brain", "knee", "spine", "pelvis", "neck", "wrist"),
    "procedure": (
        "TIPS",
        "Y-90 radioembolization",
        "uterine fibroid embolization",
        "mechanical thrombectomy",
        "CT-guided lung biopsy",
        "nephrostomy",
        "prostate artery embolization",
        "genicular artery embolization",
    ),
    "ai_task": (
        "intracranial hemorrhage triage",
        "lung nodule detection",
        "screening mammography",
        "bone age",
        "report summarization with LLMs",
        "fracture detection",
        "prostate MRI",
    ),
    "exam": ("mammogram", "MRI", "CT scan", "ultrasound", "PET scan", "breast MRI"),
    "n": ("3", "4", "5", "7", "10", "12", "20", "25"),
    "pct": ("12", "18", "23", "31", "40", "47", "62"),
    "session": (
        "AI",
        "breast imaging",
        "neuroradiology",
        "informatics",
        "emergency radiology",
        "health policy",
        "interventional oncology",
        "radiation safety",
    ),
    "slug": (
        "deep-learning-triage",
        "screening-outcomes",
        "dose-reduction",
        "structured-reporting",
        "workforce-shortage",
        "incidental-findings",
        "contrast-shortage",
        "photon-counting-ct",
    ),
}

# --------------------------------------------------------------------------- templates
# {tag} = the post's topic hashtag, {finding} etc. = VOCAB, {mention} = a mentioned account.

THEMES: dict[str, tuple[tuple[tuple[str, float], ...], tuple[str, ...]]] = {
    "general": (
        (("radiology", 10), ("imaging", 3), ("radiologist", 1), ("WeAreRadiology", 2)),
        (
            "Long list today: {n} CTs before lunch and a {finding} to start. {tag} life",
            "Good reports answer the clinical question. Be specific about the {finding}. {tag}",
            "Reading room tip: compare with prior {modality} before calling a {finding} new. {tag}",
            "Grateful for techs who get perfect {modality} images at 3 am. {tag}",
            "Protocoling is radiology too — the right {modality} saves a repeat scan. {tag}",
            "Radiology is a team sport: clinicians, techs, nurses and us. {tag}",
            "Every {finding} teaches you something. Today it taught me humility. {tag}",
        ),
    ),
    "education": (
        (("FOAMrad", 5), ("RadRes", 3), ("MedEd", 2), ("FOAMed", 1)),
        (
            "Case of the day: {region} {modality}. What's your diagnosis? {tag}",
            "Teaching point: {finding} on {modality} — look for the subtle signs first. {tag}",
            "Quiz time 🧠 {modality} of the {region}. Answer tomorrow! {tag}",
            "Thread on {finding}: imaging features, mimics and pitfalls 🧵 {tag}",
            "New teaching file up: {n} cases of {finding}. Free for all. {tag}",
            "Don't miss the {finding} on this {region} {modality} → {tag}",
        ),
    ),
    "ir": (
        (("IRad", 6),),
        (
            "{procedure} this morning, patient home tomorrow. This is why I love {tag}",
            "IR clinic matters: patients should meet us before the {procedure}. {tag}",
            "Outcomes data for {procedure} keep getting better. {tag}",
            "Step by step: how we plan a {procedure} on CT angiography. {tag}",
        ),
    ),
    "breast": (
        (
            ("BreastImaging", 5),
            ("mammography", 3),
            ("mammogram", 2),
            ("DenseBreasts", 1),
            ("BreastCancer", 1),
        ),
        (
            "Annual screening from 40 saves the most lives. {tag}",
            "Tomosynthesis found {n} more cancers per 1000 women in our practice. {tag}",
            "Dense breast notification is law in more states: what patients should know. {tag}",
            "Supplemental breast MRI for high-risk women: the evidence keeps growing. {tag}",
            "Same-day biopsy results reduce anxiety. We should all do it. {tag}",
        ),
    ),
    "ai": (
        (("radAI", 5), ("AI", 3)),
        (
            "New paper: AI for {ai_task} reached {pct}% fewer misses in our reader study. {tag}",
            "AI won't replace radiologists, but radiologists who use AI will replace those who don't. {tag}",
            "Validating an AI tool for {ai_task} locally before go-live — lessons learned. {tag}",
            "Who owns the error when AI misses a {finding}? {tag}",
            "Our informatics team deployed {ai_task} across {n} hospitals. {tag}",
        ),
    ),
    "modality": (
        (("MRI", 3), ("CTscan", 1), ("ultrasound", 2), ("xray", 1), ("NucMed", 2)),
        (
            "Fast {modality} protocols cut our exam time by {pct}%. {tag}",
            "Beautiful {region} images on the new scanner today. {tag}",
            "Contrast or no contrast for {finding}? Depends on the question. {tag}",
            "Point-of-care imaging is changing the ED, one {finding} at a time. {tag}",
            "Theranostics is the most exciting thing in imaging right now. {tag}",
        ),
    ),
    "subspecialty": (
        (
            ("neurorad", 2),
            ("MSKrad", 2),
            ("PedsRad", 1),
            ("CardiacImaging", 1),
            ("EmergencyRadiology", 1),
        ),
        (
            "Subtle {finding} on {modality} — second look saved the day. {tag}",
            "Imaging pearl: in the {region}, always check the edges of the image. {tag}",
            "Children are not small adults: image gently, use the right {modality}. {tag}",
            "Night shift stats: {n} head CTs, {n} CT angiograms, one {finding}. {tag}",
        ),
    ),
    "community": (
        (
            ("WomenInRadiology", 3),
            ("RadXX", 1),
            ("PinkSocks", 1),
            ("Match", 1),
            ("RadTech", 1),
            ("MedTwitter", 2),
        ),
        (
            "Proud to see {pct}% women in this year's residency class. {tag}",
            "Mentorship changed my career. Pay it forward. {tag}",
            "Shout out to the radiographers who keep the department running. {tag}",
            "Match day! Congrats to our {n} new radiology residents 🎉 {tag}",
            "Workforce shortage is real: {pct}% more studies, same number of radiologists. {tag}",
        ),
    ),
    "screening": (
        (("LungCancerScreening", 3),),
        (
            "Only {pct}% of eligible smokers get low-dose CT. We can do better. {tag}",
            "A {finding} found on screening CT is a life changed. Get screened. {tag}",
        ),
    ),
    "research": (
        (("radiology", 4), ("imaging", 2), ("radAI", 1), ("NucMed", 1)),
        (
            "New in our journal: {modality} findings in {finding}, {n} years of data. {tag}",
            "Open access: {ai_task} in clinical practice, a multicentre study. {tag}",
            "Call for papers: special issue on {session}. {tag}",
        ),
    ),
    "patient": (
        (("mammogram", 3), ("MRI", 1), ("BreastCancer", 2), ("DenseBreasts", 1)),
        (
            "Had my {exam} today. Scanxiety until the results come in. {tag}",
            "Thank you to the tech who held my hand during my {exam}. {tag}",
            "Reminder: book your {exam}. Mine found it early. {tag}",
            "Why did it take {n} days to get my {exam} results? {tag}",
            "Five years clear today. Annual {exam} done ✔ {tag}",
        ),
    ),
    "vendor": (
        (("radAI", 3), ("imaging", 2), ("MRI", 1), ("ultrasound", 1)),
        (
            "Meet our new {modality} platform: {pct}% faster scans. {tag}",
            "FDA clearance for our {ai_task} algorithm. {tag}",
            "Webinar: getting the most from {modality} in {session}. Register now. {tag}",
        ),
    ),
    "society": (
        (("radiology", 4), ("RadRes", 1), ("WomenInRadiology", 1), ("imaging", 1)),
        (
            "Member update: new guidelines on {session} are out. {tag}",
            "Applications open for our {session} research grants. {tag}",
            "Advocacy alert: proposed cuts to imaging reimbursement. Act now. {tag}",
        ),
    ),
    "news": (
        (("radiology", 4), ("imaging", 2), ("radAI", 1)),
        (
            "Study: {modality} use up {pct}% in emergency departments over a decade. {tag}",
            "Contrast supply shortage eases, hospitals resume normal {modality} schedules. {tag}",
            "Radiologist shortage: imaging volumes outpace workforce growth. {tag}",
        ),
    ),
    "provider": (
        (("radiology", 3), ("imaging", 3), ("mammogram", 1), ("MRI", 1)),
        (
            "Now offering evening {modality} appointments. {tag}",
            "Welcome to our new {session} radiologist! {tag}",
            "Same-day {exam} results now available at all our sites. {tag}",
        ),
    ),
}

#: Theme weights for individuals without a role-specific theme.
GENERAL_THEMES = (
    ("general", 5),
    ("education", 4),
    ("ir", 2),
    ("breast", 3),
    ("ai", 3),
    ("modality", 2),
    ("subspecialty", 2),
    ("community", 2),
    ("screening", 1),
)
ROLE_THEME = {
    "patient_advocate": "patient",
    "caregiver": "patient",
    "vendor_industry": "vendor",
    "journal_publisher": "research",
    "professional_society": "society",
    "media_outlet": "news",
    "journalist": "news",
    "imaging_practice": "provider",
    "hospital_health_system": "provider",
    "university_education": "education",
}

#: Tags added after the text (a second tag), drawn with these weights.
EXTRA_TAGS = (
    ("radiology", 6),
    ("MedEd", 1),
    ("MedTwitter", 2),
    ("FOAMed", 1),
    ("hcsm", 1),
    ("imaging", 2),
    ("AI", 1),
)

#: Other-language posts: (lang, template, tag).
FOREIGN = (
    ("es", "Caso del día: {finding} en {modality}. ¿Cuál es su diagnóstico? {tag}", "radiologia"),
    ("pt", "Caso do dia: {modality} de {region}. Qual o diagnóstico? {tag}", "radiologia"),
    ("fr", "Cas du jour : {finding} en {modality}. Votre diagnostic ? {tag}", "radiologie"),
    ("de", "Fall der Woche: {finding} im {modality}. Ihre Diagnose? {tag}", "radiologie"),
)

#: Texts that use an imaging word or tag in another sense: relevance negatives.
NOISE = (
    ("Snow day in {tag}: schools closed from Hartford to Stamford.", "CT"),
    ("Traffic on I-95 through {tag} is a parking lot again.", "CT"),
    ("Proton therapy planning meeting this morning. {tag}", "RadOnc"),
    ("Ct value of 31 on today's PCR, finally negative! {tag}", "hcsm"),
    ("Scan the QR code at our booth to win a coffee mug. {tag}", "hcsm"),
)

REPLIES = (
    "Great case, thanks for sharing!",
    "Agree — a {finding} is easy to miss on the first pass.",
    "Would add {modality} follow-up in 6 months here.",
    "This is such an important point.",
    "We see the same at our place. {pct}% of our list some days.",
    "Love this. Saving for our residents.",
    "Could it be a {finding}? Subtle but there.",
    "Thank you for speaking up about this.",
)
QUOTES = (
    "Worth reading 👇",
    "Important for every radiologist.",
    "Great summary of a hard topic.",
    "This. {tag}",
    "Our residents need to see this. {tag}",
)

MEETING = {
    "pre": (
        "Registration is open for {mtag}. See you in Chicago!",
        "Abstract accepted for {mtag}! Presenting on {session}.",
        "Planning my {mtag} schedule: so many {session} sessions.",
        "Counting down to {mtag} 🎉 Who else is going?",
    ),
    "during": (
        "Packed room for the {session} session at {mtag}",
        "Great plenary on {ai_task} this morning {mtag}",
        "Visiting the technical exhibits at {mtag}: {modality} everywhere.",
        "Presenting our {finding} study at 2 pm, come say hi {mtag}",
        "Best part of {mtag}: meeting the people I follow here.",
        "Key takeaway from {mtag}: {session} is changing fast.",
    ),
    "post": (
        "Back from {mtag}, exhausted and inspired.",
        "Missed {mtag}? Sessions on {session} are on demand now.",
        "My top {n} takeaways from {mtag} 🧵",
    ),
}

#: The monthly chat: (topic, questions). Hosts rotate through them.
CHAT_TOPICS = (
    (
        "patient-centered radiology",
        (
            "How do you explain imaging results to patients?",
            "Should patients see their reports before their doctor does?",
            "What would make radiology reports easier to read?",
            "How can radiologists be more visible to patients?",
            "What one change would improve the imaging experience?",
            "Who is doing patient-centered radiology well?",
        ),
    ),
    (
        "social media in radiology",
        (
            "Why did you join social media as a radiologist?",
            "What has social media changed in your practice?",
            "How do you handle patient privacy when posting cases?",
            "Should departments have an official account?",
            "What advice for trainees starting out online?",
            "Which accounts should everyone follow?",
        ),
    ),
    (
        "imaging appropriateness",
        (
            "How do you handle inappropriate imaging requests?",
            "Has clinical decision support helped at your institution?",
            "How should radiologists talk with referrers about overuse?",
            "What role do patients play in appropriate imaging?",
            "How do we measure the value of an imaging test?",
            "What would you change in the appropriateness criteria?",
        ),
    ),
    (
        "burnout and wellness",
        (
            "What drives burnout in radiology?",
            "How has your workload changed in five years?",
            "What helps you recover after a hard shift?",
            "What should departments do about wellness?",
            "How do remote reading and isolation interact?",
            "One tip for a resident starting call?",
        ),
    ),
    (
        "AI in the reading room",
        (
            "Which AI tools do you use every day?",
            "How do you check that an AI tool works on your patients?",
            "Who is liable when AI misses a finding?",
            "Will AI change how we train residents?",
            "What task should AI take off your plate first?",
            "How should we tell patients that AI was used?",
        ),
    ),
)
CHAT_ANSWERS = (
    "Plain language summaries at the top of every report.",
    "Time. We need protected time to talk with patients.",
    "Structured templates help, but only if they stay short.",
    "It starts in residency: teach communication like anatomy.",
    "Honestly, it depends on the referring team.",
    "We tried it at our place and patients loved it.",
    "Data first: measure before you change anything.",
    "Radiologists should be in clinic, not only in the dark room.",
    "Listen to patients and techs, they see what we miss.",
    "Small steps: one protocol, one message at a time.",
)
CHAT_CHATTER = (
    "Hi all, joining from {city}! Excited for tonight's {ctag} chat",
    "Great questions tonight {ctag}",
    "Lurking and learning {ctag}",
)


# --------------------------------------------------------------------------- compiling

_SLOT = re.compile(r"\{(\w+)\}")


def _compile(template: str) -> tuple[Any, ...]:
    """'a {x} b' -> ('a ', ('x',), ' b'): strings are literals, 1-tuples slots."""
    out: list[Any] = []
    pos = 0
    for m in _SLOT.finditer(template):
        if m.start() > pos:
            out.append(template[pos : m.start()])
        out.append((m.group(1),))
        pos = m.end()
    if pos < len(template):
        out.append(template[pos:])
    return tuple(out)


def _weighted(items: Sequence[tuple[Any, float]]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    total = sum(w for _, w in items)
    cum: list[float] = []
    acc = 0.0
    for _, w in items:
        acc += w / total
        cum.append(acc)
    cum[-1] = 1.0 + 1e-9
    return tuple(v for v, _ in items), tuple(cum)


class Content:
    """A post's text as segments, with what it holds (for the writers and the truth)."""

    __slots__ = ("lang", "noise", "segs", "tags")

    def __init__(self, segs: list[tuple[int, Any]], lang: str, tags: list[str]) -> None:
        self.segs = segs  # [(PLAIN, str) | (TAG, tag) | (MENTION, Account) | (LINK, url)]
        self.lang = lang
        self.tags = tags  # hashtags in order, without '#'
        self.noise = False


class Texts:
    """Builds Content for every kind of post, from one seeded random stream."""

    def __init__(self, random: Callable[[], float]) -> None:
        self.r = random
        self.themes = {
            name: (_weighted(tags), tuple(_compile(t) for t in tpls))
            for name, (tags, tpls) in THEMES.items()
        }
        self.general = _weighted(GENERAL_THEMES)
        self.extra = _weighted(EXTRA_TAGS)
        self.foreign = tuple((lang, _compile(t), tag) for lang, t, tag in FOREIGN)
        self.noise = tuple((_compile(t), tag) for t, tag in NOISE)
        self.replies = tuple(_compile(t) for t in REPLIES)
        self.quotes = tuple(_compile(t) for t in QUOTES)
        self.meeting = {k: tuple(_compile(t) for t in v) for k, v in MEETING.items()}
        self.chat_questions = tuple((t, tuple(qs)) for t, qs in CHAT_TOPICS)
        self.chat_answers = tuple(_compile("A{q} " + a + " {ctag}") for a in CHAT_ANSWERS)
        self.chatter_tpls = tuple(_compile(t) for t in CHAT_CHATTER)
        self.vocab = dict(VOCAB)
        self.vocab["city"] = (
            "Chicago",
            "Boston",
            "Toronto",
            "London",
            "Madrid",
            "Sydney",
            "São Paulo",
            "Zürich",
        )

    # ----------------------------------------------------------------- helpers
    def _pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.r() * len(seq))]

    def _pick_weighted(self, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
        values, cum = table
        return values[bisect_right(cum, self.r())]

    def _render(self, tpl: tuple[Any, ...], special: dict[str, tuple[int, Any]]) -> list:
        """Template -> segments; adjacent plain text is merged."""
        segs: list[tuple[int, Any]] = []
        buf: list[str] = []
        for tok in tpl:
            if type(tok) is str:
                buf.append(tok)
                continue
            name = tok[0]
            sp = special.get(name)
            if sp is None:
                buf.append(self._pick(self.vocab[name]))
            elif sp[0] == PLAIN:
                buf.append(sp[1])
            else:
                if buf:
                    segs.append((PLAIN, "".join(buf)))
                    buf = []
                segs.append(sp)
        if buf:
            segs.append((PLAIN, "".join(buf)))
        return segs

    # ----------------------------------------------------------------- posts
    def topic(self, role: str, other_language: float, noise: float) -> Content:
        """An original post on a radiology topic, as the author's role would write it."""
        r = self.r()
        if r < noise:
            tpl, tag = self._pick(self.noise)
            c = Content(self._render(tpl, {"tag": (TAG, tag)}), "en", [tag])
            c.noise = True
            return c
        if r < noise + other_language:
            lang, tpl, tag = self._pick(self.foreign)
            return Content(self._render(tpl, {"tag": (TAG, tag)}), lang, [tag])
        theme = ROLE_THEME.get(role) or self._pick_weighted(self.general)
        tags_t, tpls = self.themes[theme]
        tag = self._pick_weighted(tags_t)
        segs = self._render(self._pick(tpls), {"tag": (TAG, tag)})
        tags = [tag]
        if self.r() < 0.45:
            extra = self._pick_weighted(self.extra)
            if extra.lower() != tag.lower():
                segs.append((PLAIN, " "))
                segs.append((TAG, extra))
                tags.append(extra)
        return Content(segs, "en", tags)

    def meeting_post(self, phase: str, mtag: str, topic_tag: str | None) -> Content:
        segs = self._render(self._pick(self.meeting[phase]), {"mtag": (TAG, mtag)})
        tags = [mtag]
        if topic_tag is not None:
            segs.append((PLAIN, " "))
            segs.append((TAG, topic_tag))
            tags.append(topic_tag)
        return Content(segs, "en", tags)

    def reply(self, tag: str | None) -> Content:
        segs = self._render(self._pick(self.replies), {})
        tags: list[str] = []
        if tag is not None:
            segs.append((PLAIN, " "))
            segs.append((TAG, tag))
            tags.append(tag)
        return Content(segs, "en", tags)

    def quote(self, tag: str) -> Content:
        tpl = self._pick(self.quotes)
        segs = self._render(tpl, {"tag": (TAG, tag)})
        return Content(segs, "en", [tag] if any(s[0] == TAG for s in segs) else [])

    def chat_intro(self, topic: str, ctag: str) -> Content:
        segs = [
            (PLAIN, "Welcome to tonight's "),
            (TAG, ctag),
            (PLAIN, f" chat on {topic}! Questions start in 2 minutes. Introduce yourselves 👋"),
        ]
        return Content(segs, "en", [ctag])

    def chat_question(self, k: int, question: str, ctag: str) -> Content:
        return Content([(PLAIN, f"Q{k} {question} "), (TAG, ctag)], "en", [ctag])

    def chat_answer(self, k: int, ctag: str) -> Content:
        tpl = self._pick(self.chat_answers)
        return Content(self._render(tpl, {"q": (PLAIN, str(k)), "ctag": (TAG, ctag)}), "en", [ctag])

    def chat_chatter(self, ctag: str) -> Content:
        tpl = self._pick(self.chatter_tpls)
        return Content(self._render(tpl, {"ctag": (TAG, ctag)}), "en", [ctag])

    def chat_close(self, ctag: str) -> Content:
        segs = [
            (PLAIN, "Thanks everyone for a great "),
            (TAG, ctag),
            (PLAIN, " chat! Transcript and summary coming soon."),
        ]
        return Content(segs, "en", [ctag])

    def link(self, theme_hint: int, year: int, pools: Any) -> str:
        """A plausible URL for a radiology post (journals, teaching sites, news)."""
        k = theme_hint % 7
        if k == 0:
            return (
                f"https://pubs.rsna.org/doi/10.1148/radiol.{year}{int(self.r() * 900000) + 100000}"
            )
        if k == 1:
            return f"https://radiopaedia.org/cases/{self._pick(self.vocab['slug'])}-{int(self.r() * 190000) + 1000}"
        if k == 2:
            return f"https://www.auntminnie.com/clinical-news/article/{int(self.r() * 9000000) + 1000000}"
        if k == 3:
            return f"https://www.ajronline.org/doi/10.2214/AJR.{year % 100}.{int(self.r() * 90000) + 10000}"
        if k == 4:
            return f"https://pubmed.ncbi.nlm.nih.gov/{int(self.r() * 9000000) + 30000000}/"
        if k == 5:
            return f"https://www.youtube.com/watch?v={pools.b62(11)}"
        return f"https://www.jacr.org/article/S1546-1440({year % 100}){pools.hex(5)}-{pools.hex(1)}/fulltext"
