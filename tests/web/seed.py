"""A small store that exercises every page: a meeting, a tweetchat, a mention network,
stakeholder labels, an import with rejected lines — and hostile input.

Hostile input is the point of several tests: a post whose text is a script tag, a bio
with an <img onerror>, a post whose URL and link are `javascript:` URLs, a display name
with markup. All of it must show as text and never become markup or a link.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from radsocial.models import Account, Post, RawRecord, utcnow
from radsocial.store import Store
from radsocial.store.labels import label_rows
from radsocial.store.schema import account_labels, accounts

XSS_TEXT = "<script>alert(1)</script>"
XSS_BIO = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
XSS_NAME = '"><svg onload=alert(1)>'

PEOPLE: dict[str, tuple[str, int, str]] = {
    # handle: (bio, followers, stakeholder)
    "RSNA": ("Radiological Society of North America", 250_000, "professional_society"),
    "dr_rad": ("Radiologist. Breast imaging. #RadRes mentor", 4_000, "radiologist"),
    "resident_ray": ("Radiology resident, PGY-3", 900, "radiology_trainee"),
    "patient_pat": ("Breast cancer survivor and patient advocate", 1_500, "patient_advocate"),
    "vendor_vic": ("Imaging AI company", 12_000, "vendor_industry"),
    "JACRJournal": ("Journal of the American College of Radiology", 30_000, "journal_publisher"),
    "evil": (XSS_BIO, 10, "unknown"),
}


def _account(handle: str) -> Account:
    bio, followers, _ = PEOPLE[handle]
    return Account(
        "x",
        "id-" + handle.lower(),
        handle=handle,
        name=XSS_NAME if handle == "evil" else handle.replace("_", " ").title(),
        bio=bio,
        followers=followers,
        url=JS_URL if handle == "evil" else f"https://example.org/{handle}",
    )


_n = 0


def _post(when: datetime, who: str, text: str, **kw: Any) -> Post:
    global _n
    _n += 1
    pid = str(1_000_000 + _n)
    tags = tuple(w[1:].rstrip("!?.,:") for w in text.split() if w.startswith("#"))
    mentions = tuple(w[1:].rstrip("!?.,:") for w in text.split() if w.startswith("@"))
    return Post(
        platform="x",
        platform_id=pid,
        created_at=when,
        text=text,
        author_id="id-" + who.lower(),
        author_handle=who,
        url=kw.pop("url", f"https://twitter.com/{who}/status/{pid}"),
        lang="en",
        hashtags=tags,
        mentions=mentions,
        author=_account(who),
        likes=kw.pop("likes", _n % 7),
        reposts=kw.pop("reposts", _n % 3),
        **kw,
    )


def posts() -> list[Post]:
    """About 250 posts: RSNA 2017 (26 Nov – 1 Dec 2017), a #JACR chat, everyday posts."""
    out: list[Post] = []
    start = datetime(2017, 11, 19, 9, 0, tzinfo=UTC)
    people = ["RSNA", "dr_rad", "resident_ray", "patient_pat", "vendor_vic"]
    for day in range(16):
        per_day = 12 if 7 <= day <= 12 else 3
        for i in range(per_day):
            who = people[(day + i) % len(people)]
            other = people[(day + i + 1) % len(people)]
            when = start + timedelta(days=day, hours=i % 10, minutes=7 * i)
            text = f"Great session on breast MRI at #RSNA17 with @{other} #radiology"
            if i % 4 == 1:
                text = f"@{other} CT dose reduction talk was excellent #RSNA17 #AI"
            out.append(_post(when, who, text, links=("https://www.rsna.org/annual-meeting",)))
    # A #JACR tweetchat: the host's prompts Q1, Q2 and participants' answers.
    chat = datetime(2018, 3, 6, 1, 0, tzinfo=UTC)
    script = [
        (0, "JACRJournal", "Welcome to the #JACR chat on imaging appropriateness!"),
        (2, "JACRJournal", "Q1: How do you explain radiation dose to patients? #JACR"),
        (4, "dr_rad", "A1: I compare it with background radiation #JACR"),
        (5, "patient_pat", "A1 Plain words and a number help me #JACR"),
        (7, "resident_ray", "A1: we use a handout @JACRJournal #JACR"),
        (15, "JACRJournal", "Q2: Should reports be written for patients too? #JACR"),
        (17, "patient_pat", "A2: yes, a short summary please #JACR"),
        (19, "dr_rad", "A2 A lay summary at the end works #JACR"),
        (25, "vendor_vic", "Who else is at the chat tonight? #JACR"),
        (30, "resident_ray", "A2: structured reports help #JACR"),
        (40, "JACRJournal", "Q3: What would you change in imaging consent? #JACR"),
        (42, "dr_rad", "A3: shorter forms #JACR"),
        (50, "patient_pat", "Thanks all! #JACR"),
    ]
    for minute, who, text in script:
        out.append(_post(chat + timedelta(minutes=minute), who, text))
    for i in range(40):  # everyday conversation, 2018
        who = people[i % len(people)]
        out.append(
            _post(
                datetime(2018, 1, 1, tzinfo=UTC) + timedelta(days=i * 3, hours=i % 24),
                who,
                f"New paper on mammography screening #BreastImaging #radiology ({i})",
                links=(f"https://pubs.rsna.org/doi/{i}",),
            )
        )
    # Hostile input.
    evil = datetime(2017, 11, 28, 15, 0, tzinfo=UTC)
    out.append(_post(evil, "evil", XSS_TEXT + " #RSNA17", url=JS_URL))
    out.append(_post(evil + timedelta(minutes=5), "evil", "click me #RSNA17", links=(JS_URL,)))
    return out


def seed(store: Store, quarantine_dir: Path | None = None) -> dict[str, Any]:
    """Write the posts, stakeholder labels, rollups and one import with rejected lines."""
    items = posts()
    raw = RawRecord(format="x-v2", payload=b"seed", source="seed.jsonl", line=1)
    store.write_batch([(raw, items)])
    # Stakeholder labels on the authors, as `radsocial classify` would leave them.
    with store.writer() as conn, conn.begin():
        from radsocial.analysis.base import Label

        for handle, (_, _, role) in PEOPLE.items():
            pk = conn.execute(
                accounts.select()
                .with_only_columns(accounts.c.id)
                .where(accounts.c.platform == "x", accounts.c.account_id == "id-" + handle.lower())
            ).scalar()
            if pk is None:
                continue
            label = Label("stakeholder", role, 0.9, ("bio",), "rule", "1.0", "stakeholder")
            conn.execute(account_labels.insert(), list(label_rows("account_pk", pk, [label])))
    try:
        from radsocial.store import rollups

        rollups.refresh(store)
    except ImportError:  # rollups not in this version: analyses read the posts
        pass
    # One finished import whose quarantine holds a hostile rejected line.
    qdir = quarantine_dir or store.quarantine_dir
    qdir.mkdir(parents=True, exist_ok=True)
    iid = store.start_import(["exports/rsna17.jsonl"], None, {})
    lines = qdir / f"import-{iid:05d}.rejected"
    lines.write_bytes(b'{"broken": ' + XSS_TEXT.encode() + b"\n")
    (qdir / f"import-{iid:05d}.errors.tsv").write_text(
        f"file\tline\treason\tbytes\nexports/rsna17.jsonl\t7\tnot JSON: {XSS_TEXT}\t40\n",
        encoding="utf-8",
    )
    store.finish_import(
        iid,
        "completed",
        files=1,
        records=len(items) + 1,
        posts_read=len(items),
        new=len(items),
        duplicate=0,
        rejected=1,
        warnings=0,
        quarantine=str(lines),
    )
    return {"posts": len(items), "import_id": iid, "seeded_at": utcnow()}
