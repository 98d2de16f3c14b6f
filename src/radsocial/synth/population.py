"""The synthetic accounts: stakeholder roles, names, bios, follower counts, payloads.

An account is a pure function of (seed, platform, index): it is rebuilt on demand from
its own random stream (a hash of the index), so the population costs memory only for
the accounts in the cache, whatever the corpus size (a 10-million-post corpus has
~480,000 accounts over its three platforms).

Accounts are laid out by role: role r owns the indices [offset_r, offset_r + size_r).
Within a role, lower ranks post more (`pick`: rank = size * u ** ACTIVITY_EXPONENT),
are followed more and are mentioned more — the heavy tail studies report. The most
active 5 % of each role post all along; the other ranks map onto a window of accounts
that slides over the role's tail during the corpus's time span: accounts join, post most
when new, fade and go quiet, as real accounts do — and only a window's worth of them is
active at once, which keeps the cache small and hot in large corpora. On X the
registry's imaging organisations (RSNA, ACR, JACR, AuntMinnie, ...) are the first
accounts of their role, with their real handles, so radsocial's stakeholder classifier
recognises them from the registry and share-of-voice analyses have real names to count.

Bios are written the way people describe themselves ("Neuroradiologist at ...", "PGY-3
radiology resident", "Breast cancer survivor"), so the bio-based stakeholder classifier
can recover the role the generator assigned; accounts of role "unknown" have no bio or
one that says nothing.
"""

from __future__ import annotations

import hashlib
import math
import struct
import unicodedata
from bisect import bisect_right
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson

from radsocial.synth import config as C
from radsocial.synth.rand import SNOWFLAKE_EPOCH_MS

__all__ = ["Account", "Population"]

# --------------------------------------------------------------------------- vocabulary

FIRST_NAMES = (
    "Ana Maria Sarah Emily Laura Priya Aisha Mei Yuki Fatima Elena Sofia Hannah Grace Chloe "
    "Olivia Nadia Leila Ingrid Camille Rosa Julia Amara Keiko Zoë Chiara Noor Lucía Renée "
    "David James Michael Daniel Ahmed Omar Raj Arjun Wei Hiroshi Carlos Luis Pedro Marco "
    "Thomas Lukas Jonas Samuel Ethan Noah Kwame Tunde Ivan Mateo Andrés José Søren François "
    "Ben Chris Alex Sam Jordan Taylor Robin Kim"
).split()
LAST_NAMES = (
    "Silva Smith Johnson Patel Nguyen Kim Chen Garcia Rodriguez Martinez Lopez Brown Davis "
    "Wilson Taylor Anderson Thomas Moore Jackson Martin Lee Walker Hall Allen Young King "
    "Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips "
    "Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan "
    "Cooper Peterson Reed Bailey Bell Gomez Kelly Howard Ward Cox Diaz Richardson Wood "
    "Watson Brooks Bennett Gray James Reyes Cruz Hughes Price Myers Long Foster Sanders Ross "
    "Okafor Mensah Haddad Khan Sato Tanaka Müller Schmidt Rossi Bianchi Dubois Moreau "
    "Novak Kowalski Jensen Larsen Ivanova O'Brien Byrne Fernández Costa Singh Shah Ali"
).split()
CITIES = (
    "Chicago",
    "Boston",
    "Toronto",
    "London",
    "Madrid",
    "Sydney",
    "Houston",
    "Seattle",
    "Dublin",
    "Vienna",
    "Melbourne",
    "Atlanta",
    "Denver",
    "Baltimore",
    "Lyon",
    "Munich",
    "Milan",
    "Cape Town",
    "São Paulo",
    "Zürich",
    "Montréal",
    "Singapore",
    "Nashville",
    "Cleveland",
    "Phoenix",
    "Minneapolis",
    "Philadelphia",
    "San Diego",
    "Leeds",
    "Auckland",
)
STEMS = (
    "Lakeview Northside Riverside Summit Bayview Granite Cedar Harbor Meridian Westbrook "
    "Pinecrest Oakridge Fairview Brookhaven Ashford Kingsley Highland Silverlake Stonegate "
    "Clearwater Maplewood Redwood Eastgate Hillcrest Larkspur Bridgeport Sterling Avalon "
    "Crestwood Ironwood Willowbrook Elmhurst Beacon Northgate Seaview Windham Hartwell"
).split()
INTERESTS = (
    "cardiac imaging",
    "neuroradiology",
    "breast imaging",
    "imaging informatics",
    "AI in radiology",
    "musculoskeletal imaging",
    "pediatric imaging",
    "emergency radiology",
    "lung cancer screening",
    "prostate MRI",
    "interventional oncology",
    "medical education",
    "radiation dose",
    "health policy",
    "value-based imaging",
)
_LOCATION_SUFFIX = ("", "", ", USA", ", Canada", ", UK", "")

# --------------------------------------------------------------------------- bios
# Each role: (display name template, handle template, bio templates). Individuals use
# {first}/{last}; organisations {stem}. Every bio was checked against radsocial's
# stakeholder classifier (tests/synth checks agreement stays high).

_INDIVIDUAL = "{first} {last}"

BIOS: dict[str, tuple[str, ...]] = {
    "radiologist": (
        "Neuroradiologist at {inst}. Teaching, #FOAMrad and strong coffee. Views my own.",
        "Breast imager and mom of two. {inst}. Opinions are mine.",
        "Interventional radiologist in {city}. Minimally invasive everything.",
        "Diagnostic radiologist at {inst}. Interested in {interest}.",
        "MSK radiologist. Runner. Tweets are my own.",
        "Consultant radiologist, {inst}. Chest imaging and lung cancer screening.",
        "Pediatric radiologist at {inst} 🩻",
        "Body radiologist and residency program director, {inst}.",
        "Radiologist. Educator. {interest} enthusiast. {city}",
        "Abdominal radiologist · {inst} · views mine",
    ),
    "radiology_trainee": (
        "PGY-3 radiology resident at {inst}. #RadRes",
        "Diagnostic radiology resident in {city}. Cases, call nights and coffee.",
        "IR fellow at {inst}. Views my own.",
        "Neuroradiology fellow, {inst}.",
        "Radiology registrar in {city}. Learning every day.",
        "R2 radiology resident | {interest} | {city}",
    ),
    "other_physician": (
        "Emergency medicine physician in {city}.",
        "Oncologist at {inst}. Breast cancer care and clinical trials.",
        "Family doctor and medical educator. {city}",
        "Cardiologist with a soft spot for cardiac imaging.",
        "Surgeon at {inst}. Views are my own.",
        "Pulmonologist. Lung nodules, bronchoscopy and bad puns.",
        "Neurologist at {inst}. Stroke care.",
    ),
    "medical_student": (
        "MS3 at {school}. Interested in radiology.",
        "Medical student | aspiring radiologist | {city}",
        "Med student at {school}. #MedTwitter",
        "MS4 applying to diagnostic radiology this cycle!",
    ),
    "imaging_technologist": (
        "Radiographer at {inst}. CT and MRI. Views my own.",
        "MRI technologist, ARRT. {city}.",
        "Sonographer (RDMS) and ultrasound nerd.",
        "Mammographer for 15 years. Early detection saves lives.",
        "CT tech. Dog dad. {city}",
    ),
    "medical_physicist": (
        "Medical physicist in diagnostic imaging: dose, QA and MRI safety.",
        "MRI physicist at {inst}. Opinions my own.",
        "Imaging physicist. Photon counting CT, coffee and cycling.",
    ),
    "other_hcp": (
        "ICU nurse in {city}. Views my own.",
        "Nurse practitioner in breast health at {inst}.",
        "Physician assistant on the IR team at {inst}.",
        "Radiology nurse. Sedation, contrast and patient comfort.",
        "Pharmacist interested in contrast media safety.",
    ),
    "researcher_academic": (
        "PhD, imaging scientist working on {interest}.",
        "Professor of biomedical engineering. MRI methods.",
        "Postdoc in medical image analysis at {uni}.",
        "Research scientist: deep learning for medical imaging.",
        "Epidemiologist studying cancer screening outcomes.",
    ),
    "patient_advocate": (
        "Breast cancer survivor. Dense breast advocate.",
        "Living with metastatic breast cancer. #mBCSM",
        "Patient advocate. Diagnosed with lung cancer in 2017.",
        "Thyroid cancer survivor, runner, mom.",
    ),
    "caregiver": (
        "Caregiver for my husband. Learning about imaging the hard way.",
        "Mom to a son fighting leukemia. One scan at a time.",
        "Caring for my dad through his cancer treatment.",
    ),
    "journalist": (
        "Health reporter at {outlet}. DMs open.",
        "Science journalist covering AI in medicine.",
        "Editor at {outlet}. Imaging news and interviews.",
    ),
    "other_individual": (
        "Runner, dog lover, coffee addict.",
        "Software engineer. Curious about medical imaging.",
        "Mother, teacher, gardener. {city}",
        "Retired engineer and amateur photographer.",
    ),
    "spam_bot": (
        "I am a bot retweeting #radiology.",
        "Follow back! Get more followers. Crypto signals daily.",
    ),
    "unknown": ("", "", "🩻", "{city}", "🌊☕️"),
}

#: Organisations: (display name, handle stem suffix, bio).
ORGS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "imaging_practice": (
        (
            "{stem} Radiology Associates",
            "Radiology",
            "{stem} Radiology Associates: outpatient imaging in {city}. MRI, CT, ultrasound and mammography.",
        ),
        ("{stem} Imaging Center", "Imaging", "{stem} Imaging Center. Book an appointment online."),
        (
            "{stem} Radiology",
            "Rad",
            "Independent radiology practice serving {city} since 1987. Imaging services you can trust.",
        ),
    ),
    "hospital_health_system": (
        (
            "{stem} Radiology",
            "Radiology",
            "Official account of the Department of Radiology at {stem} Medical Center.",
        ),
        ("{stem} Health", "Health", "{stem} Health System. Exceptional care, close to home."),
        (
            "{stem} General Hospital",
            "Hospital",
            "{stem} General Hospital, {city}. Patient care, teaching and research.",
        ),
    ),
    "professional_society": (
        (
            "{stem} Radiological Society",
            "RadSoc",
            "The {stem} Radiological Society: a professional society advancing the practice of radiology.",
        ),
        (
            "Society of {stem} Radiologists",
            "Radiologists",
            "Society of {stem} Radiologists. Education and advocacy for our members.",
        ),
        (
            "{stem} Radiographers",
            "Radiographers",
            "Professional association of radiographers in {city}.",
        ),
    ),
    "journal_publisher": (
        (
            "{stem} Imaging Journal",
            "Journal",
            "Peer-reviewed journal of {interest}. Submit your manuscripts online.",
        ),
        (
            "{stem} Journal of Radiology",
            "JRad",
            "{stem} Journal of Radiology: open-access, peer-reviewed research.",
        ),
    ),
    "vendor_industry": (
        (
            "{stem} AI",
            "AI",
            "Imaging solutions for radiology: AI software for {interest}. FDA-cleared.",
        ),
        ("{stem} Medical", "Medical", "{stem} Medical: medical devices for ultrasound and X-ray."),
        ("{stem} Health Tech", "Tech", "AI platform for radiology workflow. Book a demo."),
    ),
    "media_outlet": (
        (
            "{stem} Imaging News",
            "News",
            "{stem} Imaging News: daily news for radiology professionals.",
        ),
        ("{stem} Radiology Podcast", "Podcast", "Radiology podcast and news magazine."),
    ),
    "government_regulator": (
        (
            "{stem} Health Authority",
            "Gov",
            "Official account of the national health authority's imaging safety programme.",
        ),
        (
            "{stem} Radiation Protection",
            "RadProtect",
            "Government agency for radiation protection and medical imaging safety.",
        ),
    ),
    "advocacy_nonprofit": (
        (
            "{stem} Breast Density Foundation",
            "Foundation",
            "Non-profit foundation raising awareness of dense breasts and screening.",
        ),
        (
            "{stem} Lung Cancer Network",
            "LungNet",
            "Patient organisation supporting people affected by lung cancer.",
        ),
    ),
    "university_education": (
        (
            "{stem} Radiology Education",
            "RadEd",
            "Department of Radiology education program, {stem} University School of Medicine.",
        ),
        ("{stem} Imaging Lab", "Lab", "{stem} University imaging research group."),
    ),
    "other_organisation": (
        ("{stem} Events Group", "Events", "{stem} Group: events and conferences."),
        ("{stem} Staffing", "Staffing", "We organise medical conferences and events."),
    ),
}

#: Posts per account relative to individuals: organisations post more, patients less.
#: Sets how many accounts each role gets (fewer, busier organisations).
POSTS_PER_ACCOUNT = {
    "imaging_practice": 3.0,
    "hospital_health_system": 3.0,
    "professional_society": 5.0,
    "journal_publisher": 5.0,
    "vendor_industry": 3.0,
    "media_outlet": 4.0,
    "government_regulator": 3.0,
    "advocacy_nonprofit": 3.0,
    "university_education": 3.0,
    "other_organisation": 2.0,
    "spam_bot": 4.0,
    "patient_advocate": 0.8,
    "caregiver": 0.6,
}

_ORG_ROLES = frozenset(ORGS)
_MD_NAMES = ("radiologist", "other_physician")
_GENERATION = 40_000  # accounts per cache generation (two: 100-150 MB at most)
_WORKING_SET = 50_000  # accounts active at any one time (core + sliding tail windows)
_CORE_SHARE = 0.05  # the most active 5 % of each role's accounts post all along
_CORE_MIN = 50
_EXP = C.ACTIVITY_EXPONENT

_X_SOURCES = ("Twitter for iPhone", "Twitter Web App", "Twitter for Android", "TweetDeck")
SERVING_INSTANCE = "med-mastodon.com"
_INSTANCES = (SERVING_INSTANCE, "mastodon.social", "fediscience.org", "mstdn.science")


@lru_cache(maxsize=1024)
def _ascii(text: str) -> str:
    """Letters and digits of `text` with accents dropped (handles are ASCII)."""
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if c.isascii() and c.isalnum())


def _iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def _table(alphabet: str) -> bytes:
    """A bytes.translate table mapping every byte onto `alphabet`."""
    return bytes(ord(alphabet[b % len(alphabet)]) for b in range(256))


_B32 = _table("abcdefghijklmnopqrstuvwxyz234567")
_B62 = _table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_HEX = _table("0123456789abcdef")
_SCALE = 1.0 / 4_294_967_296.0


class _Draws:
    """The random draws of one account: blake2b(platform key + index), 16 at a time.

    An account must come out identical every time it is rebuilt (the cache forgets
    accounts), so it has its own stream; hashing is ~10x cheaper than seeding a
    `random.Random` per account.
    """

    __slots__ = ("_i", "_key", "_n", "_vals")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._n = 0
        self._vals: tuple[int, ...] = ()
        self._i = 16

    def __call__(self) -> float:
        if self._i == 16:
            digest = hashlib.blake2b(self._key + bytes((self._n,)), digest_size=64).digest()
            self._vals = struct.unpack("<16I", digest)
            self._n += 1
            self._i = 0
        v = self._vals[self._i]
        self._i += 1
        return v * _SCALE

    def gauss(self) -> float:
        """A standard normal draw (Box-Muller)."""
        u = 1.0 - self()
        return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * self())

    def chars(self, table: bytes, n: int) -> str:
        """`n` characters (≤ 64) of an alphabet given as a byte translation table."""
        digest = hashlib.blake2b(self._key + b"s" + bytes((n,)), digest_size=64).digest()
        return digest[:n].translate(table).decode("ascii")


class _Fill(dict):
    """Template values computed only when a template asks for them (format_map)."""

    def __init__(self, r: Any, city: str, stem: str) -> None:
        super().__init__(city=city, stem=stem)
        self.r = r

    def __missing__(self, key: str) -> str:
        r = self.r
        s1 = STEMS[int(r() * len(STEMS))]
        if key == "inst":
            kinds = ("University Hospital", "Medical Center", "Health", "Clinic", "Imaging")
            v = f"{s1} {kinds[int(r() * 5)]}"
        elif key == "school":
            v = f"{s1} Medical School"
        elif key == "uni":
            v = f"{s1} University"
        elif key == "outlet":
            v = f"{s1} {('Today', 'Times', 'Daily', 'Report')[int(r() * 4)]}"
        elif key == "interest":
            v = INTERESTS[int(r() * len(INTERESTS))]
        else:
            raise KeyError(key)
        self[key] = v
        return v


class Account:
    """One synthetic account as the writers need it (the payload is pre-serialized)."""

    __slots__ = (
        "bio",
        "followers",
        "frag",
        "handle",
        "idx",
        "local_id",
        "mention",
        "name",
        "prefix",
        "ri",
        "role",
        "uid",
        "url",
        "username",
    )

    def __init__(self) -> None:
        self.idx = 0
        self.role = "unknown"
        self.ri = 0  # index of the role in Population.roles
        self.handle = ""  # as the platform writes it in text after '@'
        self.name = ""
        self.uid = ""  # X user id / Bluesky DID / Mastodon account URL (the author id)
        self.followers = 0
        self.bio = ""
        self.frag: Any = None  # orjson.Fragment of the platform's account object
        self.local_id = ""  # Mastodon: the serving instance's account id
        self.username = ""  # Mastodon: the local part of the acct
        self.url = ""  # Mastodon: profile URL
        self.mention: dict[str, str] | None = None  # Mastodon: the `mentions[]` entry
        self.prefix = ""  # Mastodon: "https://host/users/name/statuses/"


class Population:
    """The accounts of one platform, by role, built lazily from (seed, platform, index)."""

    def __init__(
        self,
        platform: str,
        n_posts: int,
        seed: int,
        first_day: date,
        entities: list[tuple[str, str, str]] | None = None,
    ) -> None:
        self.platform = platform
        self._key = hashlib.sha256(f"{seed}:{platform}:accounts".encode()).digest()[:16]
        self.entities = entities or []  # (role, handle, name) of registry accounts (X)
        self.first_day = first_day
        n_accounts = max(len(C.STAKEHOLDER_POST_SHARES) * 3, C.accounts_for(n_posts))
        weights = {
            r: s / POSTS_PER_ACCOUNT.get(r, 1.0) for r, s in C.STAKEHOLDER_POST_SHARES.items()
        }
        wsum = sum(weights.values())
        self.roles = tuple(C.STAKEHOLDER_POST_SHARES)
        n_entities: dict[str, int] = {}
        for role, _h, _n in self.entities:
            n_entities[role] = n_entities.get(role, 0) + 1
        self.sizes = [
            max(2 + n_entities.get(r, 0), round(n_accounts * weights[r] / wsum)) for r in self.roles
        ]
        self.offsets: list[int] = []
        off = 0
        for s in self.sizes:
            self.offsets.append(off)
            off += s
        self.size = off
        cum = 0.0
        self._role_cum: list[float] = []
        for r in self.roles:
            cum += C.STAKEHOLDER_POST_SHARES[r]
            self._role_cum.append(cum)
        self._role_cum[-1] = 1.0 + 1e-9
        self._role_index = {r: i for i, r in enumerate(self.roles)}
        self._entity_idx: dict[str, int] = {}
        seen: dict[str, int] = {}
        for role, handle, _name in self.entities:
            i = self._role_index[role]
            k = seen.get(role, 0)
            seen[role] = k + 1
            self._entity_idx[handle.lower()] = self.offsets[i] + k
        self._entity_by_idx = {
            self._entity_idx[h.lower()]: (role, h, n) for role, h, n in self.entities
        }
        # Two generations approximate an LRU cheaply: hits are copied into `_young`;
        # when it is full it becomes `_old` and the accounts not used since are dropped.
        self._young: dict[int, Account] = {}
        self._old: dict[int, Account] = {}
        self._generation = min(self.size + 1, _GENERATION)  # small populations: never evict
        self.created = 0  # accounts built (cache misses), for the benchmark
        # Activity core and sliding tail windows (see `_index`): the core and the windows
        # together hold about _WORKING_SET accounts, so the cache keeps them all.
        self._core = [min(sz, max(_CORE_MIN, int(sz * _CORE_SHARE))) for sz in self.sizes]
        tails = [sz - c for sz, c in zip(self.sizes, self._core, strict=True)]
        budget = max(len(tails), _WORKING_SET - sum(self._core))
        total = sum(tails)
        self._window = [t if total <= budget else max(1, t * budget // total) for t in tails]
        self._start = [0] * len(tails)

    # ----------------------------------------------------------------- choosing
    def pick(self, rng_random: Any) -> Account:
        """An author for a post: role by its share of posts, then rank by activity."""
        i = bisect_right(self._role_cum, rng_random())
        idx = self._index(i, int(self.sizes[i] * rng_random() ** _EXP))
        acc = self._young.get(idx)
        return acc if acc is not None else self.account(idx)

    def pick_role(self, rng_random: Any, role: str) -> Account:
        i = self._role_index[role]
        return self.account(self._index(i, int(self.sizes[i] * rng_random() ** _EXP)))

    def _index(self, i: int, rank: int) -> int:
        """The account at activity `rank` of role `i` now.

        The core ranks are the same accounts all along. The tail ranks map onto a window
        of the role's tail accounts that slides from the first to the last over the
        corpus's time: accounts join, post most when they are new, fade and go quiet,
        so every tail account posts at some point but only a window's worth at a time
        (which keeps them in the cache). Without sliding (small populations) rank =
        position.
        """
        core = self._core[i]
        if rank < core:
            return self.offsets[i] + rank
        w = self._window[i]
        tail = self.sizes[i] - core
        if w >= tail:
            return self.offsets[i] + rank
        return self.offsets[i] + core + self._start[i] + w - 1 - (rank - core) * w // tail

    def set_progress(self, fraction: float) -> None:
        """Move the tail windows to `fraction` (0..1) of the corpus's time span."""
        for i, w in enumerate(self._window):
            tail = self.sizes[i] - self._core[i]
            self._start[i] = int(fraction * (tail - w)) if w < tail else 0

    def top(self, role: str) -> Account:
        """The most active account of a role (rank 0)."""
        return self.account(self.offsets[self._role_index[role]])

    def role_of(self, idx: int) -> str:
        return self.roles[bisect_right(self.offsets, idx) - 1]

    def entity(self, handle: str) -> Account | None:
        idx = self._entity_idx.get(handle.lower())
        return None if idx is None else self.account(idx)

    def role_sizes(self) -> dict[str, int]:
        return dict(zip(self.roles, self.sizes, strict=True))

    # ----------------------------------------------------------------- building
    def account(self, idx: int) -> Account:
        """Account `idx`, from the cache or rebuilt (identically) from its draws."""
        acc = self._young.get(idx)
        if acc is None:
            acc = self._old.get(idx)
            if acc is None:
                acc = self._build(idx)
            self._young[idx] = acc
            if len(self._young) >= self._generation:
                self._old = self._young
                self._young = {}
        return acc

    def release(self) -> None:
        """Forget the cached accounts (they are rebuilt on demand)."""
        self._young = {}
        self._old = {}

    def _build(self, idx: int) -> Account:
        self.created += 1
        r = _Draws(self._key + idx.to_bytes(5, "little"))
        role = self.role_of(idx)
        ri = self._role_index[role]
        rank = idx - self.offsets[ri]
        acc = Account()
        acc.idx = idx
        acc.role = role
        acc.ri = ri
        city = CITIES[int(r() * len(CITIES))]
        stem = STEMS[int(r() * len(STEMS))]
        fill = _Fill(r, city, stem)
        ent = self._entity_by_idx.get(idx)
        if ent is not None:
            _role, handle_base, name = ent
            bio = f"Official account of the {name}."
            suffix = ""
        elif role in _ORG_ROLES:
            orgs = ORGS[role]
            name_t, hsuf, bio_t = orgs[int(r() * len(orgs))]
            name = name_t.format_map(fill)
            bio = bio_t.format_map(fill)
            handle_base = _ascii(stem) + hsuf
            suffix = str(idx)
        else:
            first = FIRST_NAMES[int(r() * len(FIRST_NAMES))]
            last = LAST_NAMES[int(r() * len(LAST_NAMES))]
            name = f"{first} {last}"
            if role in _MD_NAMES:
                x = r()
                if x < 0.15:
                    name += ", MD"
                elif x < 0.40:
                    name = f"Dr. {name}"
            bios = BIOS[role]
            bio = bios[int(r() * len(bios))].format_map(fill)
            style = r()
            f, last_a = _ascii(first), _ascii(last)
            if style < 0.35:
                handle_base = f + last_a
            elif style < 0.55:
                handle_base = f[0] + last_a
            elif style < 0.75 and role in ("radiologist", "radiology_trainee"):
                handle_base = last_a + "Rad"
            elif style < 0.85 and role in _MD_NAMES:
                handle_base = "Dr" + last_a
            else:
                handle_base = f + last_a[:1]
            suffix = str(idx)
        # rank 0 is the most active account of its role: more followers
        boost = (self.sizes[ri] / (rank + 1)) ** 0.15
        log10 = C.FOLLOWERS_LOG10[role] + C.FOLLOWERS_SIGMA * r.gauss()
        acc.followers = int(10**log10 * min(boost, 20.0) * C.FOLLOWERS_SCALE[self.platform])
        following = int(10 ** (1.8 + 1.2 * r()))
        statuses = int(10 ** (2.2 + 1.8 * r()))
        acc.name = name
        acc.bio = bio
        if self.platform == "x":
            self._x(acc, r, handle_base, suffix, city, following, statuses)
        elif self.platform == "bluesky":
            self._bluesky(acc, r, handle_base, suffix)
        else:
            self._mastodon(acc, r, handle_base, suffix, following, statuses)
        return acc

    def _created_ms(self, r: _Draws, lo: date, hi: date) -> int:
        a = datetime(lo.year, lo.month, lo.day, tzinfo=UTC).timestamp()
        b = datetime(hi.year, hi.month, hi.day, tzinfo=UTC).timestamp()
        return int((a + (b - a) * r()) * 1000)

    def _x(
        self,
        acc: Account,
        r: _Draws,
        base: str,
        suffix: str,
        city: str,
        following: int,
        statuses: int,
    ) -> None:
        acc.handle = (base[: 15 - len(suffix)] + suffix) if suffix else base
        hi = max(date(2008, 1, 1), date(self.first_day.year - 1, 12, 1))
        created = self._created_ms(r, date(2007, 6, 1), hi)
        if created < 1_388_534_400_000:  # before 2014: sequential-era user ids
            uid = str(10_000_000 + int(r() * 2_490_000_000))
        else:
            uid = str(((created - SNOWFLAKE_EPOCH_MS) << 22) | int(r() * 4_194_304))
        acc.uid = uid
        x = r()
        user: dict[str, Any] = {
            "id": uid,
            "username": acc.handle,
            "name": acc.name,
            "created_at": _iso_ms(created - created % 1000),
            "description": acc.bio,
            "location": city + _LOCATION_SUFFIX[int(x * 10) % 6] if x < 0.7 else "",
            "url": "",
            "protected": False,
            "verified": acc.role in _ORG_ROLES and r() < 0.3,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{uid}/{r.chars(_B62, 8)}_normal.jpg",
            "public_metrics": {
                "followers_count": acc.followers,
                "following_count": following,
                "tweet_count": statuses,
                "listed_count": acc.followers // 40,
            },
        }
        acc.frag = _fragment(user)

    def _bluesky(self, acc: Account, r: _Draws, base: str, suffix: str) -> None:
        acc.handle = f"{base}{suffix}".lower() + ".bsky.social"
        acc.uid = "did:plc:" + r.chars(_B32, 24)
        created = self._created_ms(r, date(2023, 2, 1), date(2023, 2, 28))
        profile = {
            "did": acc.uid,
            "handle": acc.handle,
            "displayName": acc.name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{acc.uid}/bafkrei{r.chars(_B32, 52)}@jpeg",
            "labels": [],
            "createdAt": _iso_ms(created),
        }
        acc.frag = _fragment(profile)

    def _mastodon(
        self,
        acc: Account,
        r: _Draws,
        base: str,
        suffix: str,
        following: int,
        statuses: int,
    ) -> None:
        username = f"{base}{suffix}".lower()
        x = r()
        host = _INSTANCES[0] if x < 0.5 else _INSTANCES[1 + int((x - 0.5) * 6) % 3]
        created = self._created_ms(r, date(2016, 10, 1), date(2016, 12, 31))
        local_id = str((created << 16) | int(r() * 65536))
        url = f"https://{host}/@{username}"
        acct = username if host == SERVING_INSTANCE else f"{username}@{host}"
        acc.handle = username  # clients show '@username' in the text
        acc.username = username
        acc.local_id = local_id
        acc.url = url
        acc.uid = url
        acc.mention = {"id": local_id, "username": username, "url": url, "acct": acct}
        acc.prefix = f"https://{host}/users/{username}/statuses/"
        day = datetime.fromtimestamp(created / 1000, UTC).strftime("%Y-%m-%dT00:00:00.000Z")
        avatar = (
            f"https://{host}/system/accounts/avatars/{local_id}/original/{r.chars(_HEX, 16)}.png"
        )
        account = {
            "id": local_id,
            "username": username,
            "acct": acct,
            "display_name": acc.name,
            "locked": False,
            "bot": acc.role == "spam_bot",
            "discoverable": True,
            "group": False,
            "created_at": day,
            "note": f"<p>{_html_escape(acc.bio)}</p>" if acc.bio else "",
            "url": url,
            "uri": f"https://{host}/users/{username}",
            "avatar": avatar,
            "avatar_static": avatar,
            "header": f"https://{host}/headers/original/missing.png",
            "header_static": f"https://{host}/headers/original/missing.png",
            "followers_count": acc.followers,
            "following_count": following,
            "statuses_count": statuses,
            "emojis": [],
            "fields": [],
        }
        acc.frag = _fragment(account)


def _fragment(obj: Any) -> Any:
    """The serialized object, kept as an orjson Fragment (inserted verbatim in pages).

    Copied to an exact-size bytes object: orjson returns its growable output buffer,
    which for these small objects is several times larger than the JSON — across a
    cache of tens of thousands of accounts that is the difference between 80 MB and
    300 MB.
    """
    return orjson.Fragment(bytes(memoryview(orjson.dumps(obj))))


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def registry_entities(registry: Any) -> list[tuple[str, str, str]]:
    """(role, X handle, name) of the registry's imaging organisations, in registry order.

    Only organisations whose kind is one of the generator's roles and that have an X
    handle: the registry lists no Bluesky or Mastodon handles.
    """
    out: list[tuple[str, str, str]] = []
    for ent in registry.entities.values():
        handles = ent.handles.get("x") or ()
        if ent.imaging and handles and ent.kind in C.STAKEHOLDER_POST_SHARES:
            out.append((ent.kind, handles[0], ent.name))
    return out
