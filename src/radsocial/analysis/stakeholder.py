"""Stakeholder: who is the author? From the handle, the display name and the bio.

Taxonomy (domain.md §3, radsocial values in taxonomy.STAKEHOLDERS) with a mapping onto
Symplur's 19 segments (`to_symplur`). Like Symplur, an account is only classified when
its bio (or, failing that, its name) *says* what it is; otherwise "unknown".

Decision steps (docs/classifiers.md has the full tables):

1. Known entity: the registry's `entities` (platform + handle) decide outright.
2. Spam / bot markers ("I follow back", "I am a bot", "crypto signals") decide when no
   professional role is stated.
3. Individual or organisation: first-person singular, family words, "views my own" and
   singular role nouns count for an individual; "we/our", "official account", "X is a
   non-profit organisation", organisation words in the name count for an organisation.
4. Individuals: the first role found in this order wins — radiologist, radiology
   trainee, medical physicist, imaging technologist, medical student, other physician,
   other healthcare professional, patient / advocate, caregiver, researcher, journalist
   — else "other individual" when the bio gives any identity (mother, runner, lawyer...),
   else "unknown". Professional roles come first because a nurse who is also a patient
   speaks in the conversation as a nurse (Symplur does the same).
5. Organisations: each type collects weighted cue words; the highest total wins (ties:
   imaging practice, journal, society, government, university, hospital, vendor,
   advocacy, media, in that order); no cue -> "other organisation".

Masking removes phrases that contain a role word without the role: "Doctors Without
Borders", "Doctor Who", "naturopathic doctor", "Doctor of Physical Therapy", "not that
type of doctor", "MD Anderson", "wife of a radiologist", "future doctor" (-> student).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from radsocial.analysis.base import Label
from radsocial.analysis.taxonomy import STAKEHOLDERS, SYMPLUR_MAP, SYMPLUR_SEGMENTS
from radsocial.knowledge.registry import Registry, default_registry
from radsocial.models import Account, Post

__all__ = ["StakeholderClassifier", "StakeholderDecision", "to_symplur"]

_I = re.I

# -- masks: phrases with a role word but not the role (replaced before matching) ------------
_MASKS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"m[ée]decins? sans fronti[èe]res|doctors? without borders|dokter lintas batas", _I
        ),
        " MSF ",
    ),
    (
        re.compile(
            r"\bdoctor who\b|\bthe doctors\b|\bdoctor radio\b|\bdoctor's (?:office|orders)\b", _I
        ),
        " ",
    ),
    (
        re.compile(
            r"\bnot (?:that|a|the|an?\s+\w+) (?:type|kind|sort) of doctor\b|\bnot (?:an? )?(?:medical doctor|m\.?d\.?)\b",
            _I,
        ),
        " NOTDOCTOR ",
    ),
    (
        re.compile(
            r"\bnaturopath(?:ic)? doctor\b|\bdoctor of (?:physical therapy|chiropractic|pharmacy|nursing practice|naturopathic medicine)\b",
            _I,
        ),
        " HCPROLE ",
    ),
    (
        re.compile(
            r"\bdoctor(?:ate)? (?:of|in) (?:philosophy|education|business|\w+ administration)\b|\bdoctorate\b|\bdoctoral\b",
            _I,
        ),
        " PHDROLE ",
    ),
    (re.compile(r"\bmd anderson\b", _I), " MDA "),
    (
        re.compile(
            r"\b(?:future|aspiring|budding|wannabe|would-be|hopeful)\s+(?:neuro|breast |interventional |pediatric )?(?:doctor|physician|surgeon|radiologist|md|dr|medic)\b|\b(?:doctor|radiologist|physician)[- ]to[- ]be\b",
            _I,
        ),
        " FUTUREDOC ",
    ),
    (re.compile(r"\bradiologist[- ]in[- ]training\b", _I), " radiology trainee "),
    (re.compile(r"\bcare ?giv\w* survivor\b", _I), " caregiver "),
    (
        re.compile(r"\b(?:therapeutic|therapy) radiographer\b|\bradiation therapist\b", _I),
        " HCPROLE ",
    ),
    (
        re.compile(
            r"\b(?:married to|wife of|husband of|partner of|daughter of|son of|mom of|mum of|mother of|"
            r"father of|dad of)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:radiologist|doctor|physician|surgeon|nurse)\b",
            _I,
        ),
        " FAMILYOFROLE ",
    ),
]

# -- individual roles ----------------------------------------------------------------------------
_ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "radiologist",
        re.compile(
            r"\b(?:neuro|paediatric |pediatric |interventional |breast |msk |musculoskeletal |"
            r"abdominal |body |chest |cardiac |thoracic |emergency |oncologic |consultant |"
            r"diagnostic |academic |community |general |nuclear )?radiologist\b(?!s)"
            r"|\bneuroradiologist\b(?!s)|\bradi[oó]log[oa]\b|\bradiologue\b|\bradiologe\b|\bradiologista\b"
            r"|\bbreast imager\b|\bnuclear medicine (?:physician|doctor|specialist|consultant)\b"
            r"|\bradiology (?:attending|consultant|faculty|physician)\b|\bimaging physician\b"
            r"|\bconsultant in (?:radiology|nuclear medicine)\b|\bFRCR\b|\bDABR\b(?=.*\bradiolog)",
            _I,
        ),
    ),
    (
        "radiology_trainee",
        re.compile(
            r"\b(?:diagnostic |interventional |neuro|body |breast |msk |pediatric |paediatric )?"
            r"(?:radiology|rads?|IR|neuroradiology|nuclear medicine) (?:resident|fellow|registrar|trainee)\b"
            r"|\bresident (?:in|of) (?:diagnostic |interventional )?radiology\b|#radres\b"
            r"|\b(?:PGY-?\d|R[1-5]|ST[1-7]|SpR)\b[^.;|]{0,30}\bradiology\b|\bradiology (?:PGY-?\d|R[1-5])\b",
            _I,
        ),
    ),
    (
        "medical_physicist",
        re.compile(
            r"\bmedical physicist\b|\bmedical physics\b|\b(?:mr|mri|imaging|diagnostic|radiation|health|"
            r"clinical|nuclear medicine|ct|x-ray|ultrasound) physicist\b|\bclinical scientist\b[^.;|]{0,30}"
            r"\bphysics\b|\bphysicist\b[^.;|]{0,30}\b(?:imaging|radiology|mri|hospital)\b",
            _I,
        ),
    ),
    (
        "imaging_technologist",
        re.compile(
            r"\b(?:diagnostic |reporting |advanced practitioner )?radiographer\b(?!s)"
            r"|\bradiologic(?:al)? technologist\b|\brad(?:iology|iologic)? tech(?:nologist|nician)?\b"
            r"|\bradtech\b|\b(?:x-?ray|ct|mri|mr|ultrasound|mammograph(?:y|ic)|mammo|nuclear medicine|"
            r"nuc med|cath lab|ir|interventional|imaging|vascular) (?:tech|technologist|technician)\b"
            r"|\b(?:ultra)?sonographer\b(?!s)|\bmammographer\b|\bRT\s?\((?:R|CT|MR|M|N|VI|S|BD)\)"
            r"|\bARRT\b|\bRDMS\b|\bRDCS\b|\bRVT\b|\bCNMT\b|\bt[ée]cnic[oa] (?:en )?radiolog",
            _I,
        ),
    ),
    (
        "medical_student",
        re.compile(
            r"\bmed(?:ical)?[- ]?student\b(?! (?:educator|affairs|education|teaching|mentor))"
            r"|\bmed[- ]?school(?:er)?\b(?! (?:professor|faculty|dean|lecturer))|\bmedical school student\b"
            r"|\bMD (?:candidate|student)\b|\bMD/PhD (?:student|candidate)\b|\bstudent doctor\b"
            r"|#medstudent\w*|\bFUTUREDOC\b|\bestudiante de medicina\b|\b(?:O?MS) ?-?(?:[1-4]|I{1,3}|IV)\b(?=[\s,.|·]|$)",
            _I,
        ),
    ),
    (
        "other_physician",
        re.compile(
            r"\bphysician\b(?! (?:group|practice|assistant|associate|recruit|placement|network))"
            r"|\b(?:medical |family |practicing |practising |er |ed |travel health |country )?doctor\b"
            r"(?!s)(?! (?:group|practice))|\bM\.D\.|\bM\.B\.B\.S|\bMD licensed\b"
            r"|(?-i:\b(?:MBBS|MBChB|FRCP\w*|FAC[PSCE]|FAAP|FACEP|MRCP|MRCS)\b)"
            r"|(?-i:(?<![A-Z]{2}, )(?<![a-z], )(?<!\w)MD(?!\w)(?!\s*(?:candidate|student|/PhD)))"
            r"|\b(?:oncologist|cardiologist|neurologist|gastroenterologist|dermatologist|pathologist|"
            r"urologist|nephrologist|endocrinologist|rheumatologist|ha?ematologist|pulmonologist|"
            r"gyn(?:a)?ecologist|ob-?gyn|obstetrician|ophthalmologist|an(?:a)?esthesiologist|"
            r"an(?:a)?esthetist|intensivist|neonatologist|hepatologist|otolaryngologist|allergist|"
            r"p(?:a)?ediatrician|psychiatrist|surgeon|internist|hospitalist|geriatrician|"
            r"general practitioner|family medicine|internal medicine|emergency medicine|"
            r"medical director|consultant physician|oncology fellow|gi fellow|cardiology fellow|"
            r"attending physician)\b(?!s)"
            r"|\b(?:internal medicine|surgical|surgery|pediatrics?|paediatrics?|medicine|family medicine|"
            r"psychiatry|emergency medicine|an(?:a)?esthesia|neurology|ortho\w*|ob/?gyn|im) resident\b"
            r"|\bresident (?:physician|doctor)\b|\b(?:practicing|practising|travel health|er|family) doc\b"
            r"|\bm[ée]dic[oa] (?:de|cirujano|especialista)|\bm[ée]decin\b|\b[äa]rzt(?:in)?\b|\bmetge\b"
            r"|\bطبيب\b",
            _I,
        ),
    ),
    (
        "other_hcp",
        re.compile(
            r"\bnurse\b(?!s)|\bnursing (?:student|officer|director)|\bdirector of nursing\b|\bstudent nurse\b"
            r"|\bnurse practitioner\b|\bmidwife\b|\bpharmacist\b|\bdietitian|\bdietician|\bnutritionist\b"
            r"|\b(?:physical|occupational|respiratory|speech|massage|music|art|sports|cancer exercise)?"
            r"\s?therapist\b(?!s)|\b(?:physical|occupational|respiratory) therapy student\b"
            r"|\bphysiotherapist\b|\bphysio\b|#physiotherapy\b|\bphysician assistant\b|\bdentist\b"
            r"|\bdental hygienist\b|\bparamedic\b|\bchiropractor\b|\boptometrist\b|\baudiologist\b"
            r"|\b(?:clinical|health|counselling|counseling) psychologist\b|\bsocial worker\b"
            r"|\bdiabetes educator\b|\bnaturopath\b|\bdoula\b|\blactation consultant\b"
            r"|\bmedical assistant\b|\bphlebotomist\b|\b(?:lab|laboratory) (?:tech|technician|technologist)\b"
            r"|\bhistotech\b|\bHCPROLE\b|\bhealth ?care (?:worker|professional|provider)\b(?!s)"
            r"|\bnurse specialist\b|\benfermer[oa]\b|\binfirmi[eè]re?\b|\bpharmacien\b"
            r"|(?-i:\b(?:RN|LPN|LVN|BSN|MSN|APRN|CRNA|RD|RDN|CDE|EMT|PA-C|DPT|DDS|PharmD|CNA|NP)\b)",
            _I,
        ),
    ),
    (
        "patient_advocate",
        re.compile(
            r"\bsurvivor\b(?! of (?:abuse|domestic|suicide|sexual|trafficking))(?!s)|\bthriver\b"
            r"|\bliving with (?:\w+ ){0,3}(?:disease|cancer|celiac|coeliac|diabetes|ms|lupus|hiv|"
            r"illness|condition|syndrome|disorder|arthritis|ibd|crohn'?s|colitis|pain|epilepsy|"
            r"autism|als|copd|asthma|pots|fibromyalgia|myeloma|leuk\w+|lymphoma|sarcoma)\b"
            r"|\bdiagnosed (?:with|in|at)\b|\b(?:newly|recently) diagnosed\b|\bdiagnosed (?:celiac|coeliac)\b"
            r"|\bi (?:have|had|got) (?:\w+ ){0,2}(?:celiac|coeliac|cancer|diabetes|ms|lupus|crohn'?s|"
            r"disease|leukemia|lymphoma|myeloma)\b|\bmy (?:celiac|coeliac|cancer|diagnosis|illness)\b"
            r"|\bpatient advocate\b|#patientadvocate\b|\be-?patient\b|\bmetavivor\b|\b#?mbc\b"
            r"|\b(?:cancer|leuk\w+|lymphoma|myeloma) (?:fighter|patient|warrior|survivor)\b"
            r"|\b(?:currently )?fighting (?:\w+ )?(?:cancer|leuk\w+|lymphoma|myeloma|sarcoma)\b"
            r"|\b(?:type 1|type 2|t1d?|t2d?) diabetic\b|\bdiabetic\b|\bspoonie\b"
            r"|\b(?:my|i have|i've had|i had|i got a) (?:\w+ ){0,3}(?:illness|dx|diagnosis|disease|disorder|"
            r"syndrome|condition)\b|\b(?:metastatic|stage (?:i{1,3}v?|iv|[1-4])) (?:\w+ ){0,2}cancer\b"
            r"|\b(?:celiac|coeliac|cancer|breast cancer|food allergy|allergy|diabetes|autism|mental health|"
            r"rare disease|hemophilia|haemophilia|lupus|ms|hiv|epilepsy|ibd|crohn'?s|patient|"
            r"health(?:care)?) (?:disease )?(?:advocate|activist|ambassador)\b"
            r"|\badvocate (?:for|of) (?:\w+ ){0,2}(?:patients|cancer|celiac|coeliac|diabetes|"
            r"rare disease|people with)\b|\braising awareness (?:about|of|for) (?:\w+ )?(?:cancer|disease)",
            _I,
        ),
    ),
    (
        "caregiver",
        re.compile(
            r"\bcare ?giver\b(?!s)|\bcarer\b(?!s)|\bcaring for (?:my|a)\b"
            r"|\b(?:mom|mum|mother|mama|dad|father|parent|wife|husband) (?:of|to) (?:a |an |my |one |two |"
            r"\d )?[\w\s-]{0,25}?(?:celiac|coeliac|diabetic|autistic|t1d|type 1|cancer[\w-]*|leuk\w+|"
            r"warrior|fighter|preemie|special needs|\w+ with)\b"
            r"|\b(?:#?t1d|celiac|coeliac|autism|allergy|foodallergy|cancer|heart|special needs|nicu|"
            r"preemie|rare disease) (?:mom|mum|mama|dad|parent)\b"
            r"|\blos[te]? (?:my|our|your) (?:\w+ ){0,3}(?:son|daughter|husband|wife|child|baby) to\b"
            r"|\b(?:my|his|her|our) (?:\w+ ){0,2}(?:celiac|coeliac|diabetic|autistic|disabled|sick|t1d|allergic)"
            r" (?:son|daughter|child|kids?|teen\w*|boy|girl|husband|wife|baby|children)\b"
            r"|\b(?:my|our) (?:\w+ ){0,2}(?:son|daughter|child|kid|husband|wife|baby|boy|girl)\b[^.;|]{0,30}"
            r"\b(?:diagnosed|fighting|battling|living with|has (?:celiac|coeliac|cancer|autism|diabetes))\b"
            r"|\b(?:has|have) an? (?:son|daughter|child|kid|boy|girl) with\b",
            _I,
        ),
    ),
    (
        "researcher_academic",
        re.compile(
            r"\bresearcher\b|\bresearch (?:scientist|fellow|associate|assistant|professor)\b"
            r"|\bscientist\b|\bPh\.?D\b(?! (?:student|candidate))|\bDPhil\b|\bpost-?doc\w*\b"
            r"|\bprofessor\b|\bprofesor\w*\b|\bprof\.|\blecturer\b|\bacademic\b|\bepidemiologist\b"
            r"|\b(?:micro|astro|neuro|molecular |marine )?biologist\b|\bgeneticist\b|\bbiochemist\b"
            r"|\b(?:astro|bio)?physicist\b|\bneuroscientist\b|\bimmunologist\b|\bbioethicist\b"
            r"|\b(?:bio)?statistician\b|\b(?:PhD|doctoral) (?:student|candidate|researcher)\b"
            r"|\binvestigador\w*\b|\bchercheur\w*\b|\bforscher\w*\b|\bfaculty member\b|\bPHDROLE\b"
            r"|\bsenior analyst\b",
            _I,
        ),
    ),
    (
        "journalist",
        re.compile(
            r"\bjournalist\w*\b|\bperiodista\b|\breporter\b|\bcorrespondent\b|\bcolumnist\b|\bnewscaster\b"
            r"|\bnews anchor\b|\banchor\b|\bbroadcaster\b|\b(?:photo|video)?journalist\b"
            r"|\b(?:managing |deputy |senior |associate |assistant |contributing |health |science |medical |"
            r"food |travel |freelance |web |features |news |family |content )?editor\b(?!s)"
            r"|\beditor[- ]in[- ]chief\b|\bstaff writer\b"
            r"|\b(?:health|science|medical|freelance|food|travel|sports|tech|beauty|news) writer\b"
            r"|\b(?:radio|tv|television|news|talk show) (?:host|presenter)\b|\breporting fellow\b"
            r"|\b(?:medical|health) reporter\b|\bVJ\b",
            _I,
        ),
    ),
]
_ROLE_ORDER = tuple(label for label, _ in _ROLE_PATTERNS)
_PROFESSIONAL = frozenset(
    (
        "radiologist",
        "radiology_trainee",
        "medical_physicist",
        "imaging_technologist",
        "other_physician",
        "other_hcp",
    )
)

_NAME_PHYSICIAN_RE = re.compile(
    r"(?:,|\s)\s*(?:M\.?D\.?|MBBS|FRCR|FRCP\w*|D\.O\.)(?:\s|,|$)|^\s*Dr\.?\s", re.I
)
_NAME_MD_RE = re.compile(r"(?:,|\s)\s*M\.?D\.?(?:\s|,|$)")
_NAME_RN_RE = re.compile(r"(?:,|\s)\s*(?:RN|BSN|MSN|NP)(?:\s|,|$)")
_HANDLE_MD_RE = re.compile(r"(?:^dr[a-z]|md$|mdphd$|_md$)", re.I)

# -- spam / bots ------------------------------------------------------------------------------------
_SPAM_RE = re.compile(
    r"follow ?(?:4|for) ?follow|#?teamfollowback|#?followback|\bi follow back\b|\bfollow back\b"
    r"|\bget (?:more )?followers\b|\bbuy followers\b|\bfree followers\b|\bdm for promo\b"
    r"|\bcrypto (?:signals|giveaway)|\b100% profit\b|\bmake money\b|\bwork from home\b|\bearn \$"
    r"|\bi am a bot\b|\bi'm a bot\b|\bbot (?:retweeting|that retweets)\b|\bretweet everything\b"
    r"|\bfollow me(?: for more)?\b|#win\b|#free\b|#competition\b|\bfollowers \+|\bforex\b|\bcasino\b"
    r"|\bpage not monitored\b|\btry it!",
    _I,
)

# -- individual vs organisation -------------------------------------------------------------------
_FIRST_PERSON = frozenset("i i'm im me my myself mine i've i'll i'd".split())
_WE = frozenset("we we're we've our ours us".split())
_IDENTITY = frozenset(
    """mom mum mother mama mommy momma dad father papa daddy wife husband grandma grandmother granny
    nana nan grandpa grandfather son daughter sister brother auntie aunt uncle girl guy boy lady
    woman man lover fan fanatic enthusiast junkie addict geek nerd blogger writer author poet artist
    musician singer vocalist photographer designer entrepreneur consultant coach teacher student
    alum alumni alumna graduate grad attorney lawyer engineer developer programmer marketer manager
    director analyst officer assistant volunteer activist traveler traveller runner cyclist
    triathlete marathoner foodie cook chef baker gamer youtuber model actress actor dj farmer
    retired veteran marine christian muslim catholic jew jewish democrat republican feminist
    believer follower owner founder ceo president trustee rapper dancer mathematician economist
    adviser advisor adviseur spokesperson publicist strategist specialist expert speaker citizen
    parent mommy wifey hubby pianist soprano conductor composer mentor leader planner organizer
    executive cfo cto coordinator administrator professional host estudiante étudiant étudiante
    studente studentin""".split()
)
_PERSONAL_RE = re.compile(
    r"\b(?:views|opinions|tweets|thoughts)(?: expressed)?(?: are| here are)? (?:my|mine|all mine|my own)\b"
    r"|\bpersonal (?:account|views|opinions|titel)\b|\bmy views\b|\bviews mine\b|\bopinions? (?:are )?mine\b"
    r"|\b(?:tweets|views) (?:here )?are personal\b"
    r"|\btweets (?:are )?(?:my own|mine)\b|\b\d{2} ?(?:years? old|yrs? old|y/o|yo)\b|^\d{2}\.",
    _I,
)
_ORG_RE = re.compile(
    r"\bofficial (?:twitter |instagram )?(?:account|page|feed)\b|\bwelcome to\b|\bfollow us\b|\bvisit us\b"
    r"|\bcontact us\b|\bjoin us\b|\btweets (?:by|from)\b|\b(?:make|book|schedule) (?:an? )?appointment\b"
    r"|\bcall us\b|\bvisit our\b|\border now\b|\bnow available\b|\bfree shipping\b"
    r"|^(?:a |the )?(?:leading |premium |award[- ]winning |global )*(?:manufacturer|provider|maker|supplier|"
    r"developer|publisher|distributor|producer|home) of\b"
    r"|^[^.!?|]{0,60}\b(?:magazine|website|newsletter|company|organi[sz]ation|program(?:me)?|news program|"
    r"podcast|radio show|talk ?show)\b[^.!?|]{0,25}(?:[.!|]|$)"
    r"|\bprovides\b|\bproviding\b|\boffering\b|\bspeciali[sz](?:es|ing) in\b",
    _I,
)
# the bio opens with a name and "is dedicated / is your / is creating ..." (no "is a": people too)
_ORG_SUBJECT_RE = re.compile(
    r"^(?:[Tt]he )?[A-Z][\w.&'’-]*(?: (?:[A-Z0-9][\w.&'’-]*|of|for|and|&|the)){0,7} (?:is|are) (?:"
    r"dedicated|committed|devoted|your|creating|made|certified)\b"
)
_SUBJECT_RE = re.compile(r"^(.{3,60}?) (?:is|are) ")
_BOT_RE = re.compile(
    r"\b(?:i am|i'm) a bot\b|\bbot (?:retweeting|that retweets)\b|\bautomated account\b", _I
)
# "X is a company / charity / hospital ...": the named kind decides the type
_IS_A_RE = re.compile(
    r"\b(?:is|are) (?:a|an|the) (?:[\w-]+ ){0,3}?(?P<noun>company|firm|brand|bakery|store|shop|market|boutique|"
    r"restaurant|agency|charity|foundation|non-?profit|hospital|clinic|practice|magazine|publication|"
    r"talk ?show|journal|university|college|school|institute|society|organi[sz]ation|ngo|network|group|"
    r"team|program(?:me)?|platform|service|website|directory|community)\b",
    _I,
)
_NOUN_TYPE = {
    "company": "other_organisation",
    "firm": "other_organisation",
    "brand": "other_organisation",
    "bakery": "other_organisation",
    "store": "other_organisation",
    "shop": "other_organisation",
    "market": "other_organisation",
    "boutique": "other_organisation",
    "restaurant": "other_organisation",
    "agency": "other_organisation",
    "charity": "advocacy_nonprofit",
    "foundation": "advocacy_nonprofit",
    "nonprofit": "advocacy_nonprofit",
    "non-profit": "advocacy_nonprofit",
    "hospital": "hospital_health_system",
    "clinic": "hospital_health_system",
    "practice": "hospital_health_system",
    "magazine": "media_outlet",
    "publication": "media_outlet",
    "talkshow": "media_outlet",
    "talk show": "media_outlet",
    "journal": "journal_publisher",
    "university": "university_education",
    "college": "university_education",
    "school": "university_education",
    "institute": "university_education",
    "society": "professional_society",
}  # other nouns ("organisation", "network", "website" ...) say "organisation" without a type
_BUSINESS_RE = re.compile(
    r"\bbakery\b|\bcookies\b|\bsnack\b|\bproducts?\b|\bboutique\b|\bshop\b|\bstore\b|\bbrand\b"
    r"|\brestaurant\b|\bcaf[eé]\b|\bfacility\b|\bmade (?:in|from|with)\b|\bingredients\b|\bselling\b"
    r"|\bsubscription box\w*\b|\bdelicious\b|\bfrozen treat\b|\bonline (?:store|shop|boutique)\b",
    _I,
)
_INDIVIDUAL_RE = re.compile(
    r"\bwork(?:ing|s)? (?:for|at|with) \b|\bemployee (?:of|at)\b|(?<!for )\bstaff at\b|\bi work\b"
    r"|\b(?:MBA|BA|BS|BSc|MS|MSc|MA|MPH|PhD) (?:from|in|at)\b|\bgraduate of\b|\balum(?:na|nus|ni)?\b"
    r"|^(?:president|ceo|director|founder|co-?founder|chair(?:man|woman)?|manager|vp|vice president|"
    r"head|chief \w+ officer|partner|editor|executive director|author|writer)\b",
    _I,
)
_MEDICAL_INDUSTRY_RE = re.compile(
    r"\b(?:medical|clinical|hospitals?|imaging|diagnostic\w*|patients|ultrasound|x-?ray|mri|ct|surgical|"
    r"laborator\w*|radiolog\w*|pharma\w*|drugs?|malaria|health ?care)\b",
    _I,
)
_CELIAC_SELF_RE = re.compile(
    r"(?:\b(?:a|am|i'm|im|fellow|proud|diagnosed|newly diagnosed|i have|with|head)\s+|#)(?:celiac|coeliac)\b(?!s)"
    r"(?!\s+(?:son|daughter|child|kid|boy|girl|patient|family|community|association|foundation|society))"
    r"|(?:^|[,.;|/&•·]|\band\b)\s*#?(?:celiac|coeliac)\s*(?:[,.;|/&•·!]|$|\b(?:cook|baker|blogger|mom|"
    r"girl|guy|on a mission|trying|advocate|since|for \d|disease advocate|warrior))",
    _I,
)
_ORG_NAME_RE = re.compile(
    r"\b(?:foundation|association|society|hospital|hospitals|clinic|health ?care|health system|"
    r"news|magazine|journal|university|college|institute|inc|llc|ltd|corp|company|official|"
    r"media|network|centre|center|fund|charity|trust|council|alliance|coalition|partners|"
    r"associates|labs?|solutions|systems|radio|tv|press|group|team|department|dept|library|"
    r"market|bakery|foods|kitchen|boutique|cereal|products|services|club|times|post|herald|tribune|"
    r"gazette|daily|weekly)\b",
    _I,
)

# -- organisation types: (type, weight, pattern) ---------------------------------------------------
_HEALTH_WORDS = re.compile(
    r"\b(?:health\w*|medical|medicine|medic\w*|clinical|clinic\w*|patients?|disease\w*|illness|cancer|"
    r"hospital\w*|care|nutrition\w*|fitness|diet\w*|wellness|wellbeing|celiac|coeliac|"
    r"allerg\w*|diabet\w*|autism|mental|pharma\w*|nurs\w*|vaccin\w*|hiv|aids|epidemi\w*|physician\w*|"
    r"doctors?|therap\w*|oncolog\w*|radiolog\w*|imaging|surg\w*|dental|drugs?|cure\w*|leuk\w*|"
    r"lymphoma|myeloma|humanitarian|malaria|cholera|ebola|tb|tuberculosis|probiotic\w*|immuni\w*)\b",
    _I,
)
_ORG_TYPES: list[tuple[str, list[tuple[float, re.Pattern[str]]]]] = [
    (
        "imaging_practice",
        [
            (
                3,
                re.compile(
                    r"\b(?:radiology|imaging|diagnostic imaging|breast imaging|mri|x-?ray|ultrasound) "
                    r"(?:practice|group|associates|partners|cent(?:er|re)s?|clinics?|services|network|"
                    r"facilit(?:y|ies)|provider)\b|\boutpatient imaging\b|\bteleradiology "
                    r"(?:company|provider|practice|services)\b",
                    _I,
                ),
            ),
        ],
    ),
    (
        "journal_publisher",
        [
            (
                3,
                re.compile(
                    r"\b(?:peer[- ]reviewed|medical|scientific|academic|official|open[- ]access|research|"
                    r"online) journal\b|\bjournal (?:of|publishing)\b|\bpeer[- ]reviewed\b|\bimpact factor\b"
                    r"|\bsubmit your (?:\w+ )?(?:manuscripts?|papers?|cases|research|articles?)\b|\bpublisher\b"
                    r"|\bmedical media\b|\bmedical publishing\b",
                    _I,
                ),
            ),
        ],
    ),
    (
        "professional_society",
        [
            (
                3,
                re.compile(
                    r"\bprofessional (?:society|association|organi[sz]ation|body|membership)\b"
                    r"|\b(?:society|association|college|academy|federation) (?:of|for) (?:\w+ ){0,4}"
                    r"(?:radiolog\w*|physicians|surgeons|nurs\w*|gastroenterolog\w*|ha?ematolog\w*|"
                    r"oncolog\w*|patholog\w*|medicine|cardiolog\w*|imaging|technologists|radiographers|"
                    r"physicists|dietetics|pharmac\w*|dentist\w*|professionals)\b"
                    r"|\bmembership (?:of|organi[sz]ation)\b|\badvancing the (?:science|practice|field)\b"
                    r"|\bnetwork (?:for|of) (?:\w+ ){0,2}(?:professionals|physicians|nurses|clinicians|radiologists)\b"
                    r"|\bdedicated to advancing\b",
                    _I,
                ),
            ),
            (
                1,
                re.compile(
                    r"\bmembers\b|\bmembership\b|\bsociety\b|\bcollege of\b|\bassociation\b", _I
                ),
            ),
        ],
    ),
    (
        "government_regulator",
        [
            (
                4,
                re.compile(
                    r"\bgovernment\b|\bministry\b|\bministerio\b|\bdepartment of (?:public )?health\b"
                    r"|\bpublic health (?:agency|department|england|ontario|wales|scotland)\b"
                    r"|\b(?:federal|state|national|regional|county|city|municipal) (?:agency|government|"
                    r"health department)\b|\bcounty department\b|\bregulator\b|\bregulatory (?:agency|authority)\b"
                    r"|\bintergovernmental\b|\bunited nations\b|\bUN office\b|\bhealth authority\b"
                    r"|\bofficial account of the (?:u\.?s\.?|uk|national|federal|state)\b",
                    _I,
                ),
            ),
        ],
    ),
    (
        "university_education",
        [
            (
                3,
                re.compile(
                    r"\buniversit(?:y|é|à|a|ät)\b|\bschool of (?:medicine|public health|nursing|osteopathy)\b"
                    r"|\bmedical school\b|\bfaculty of\b|\bresearch (?:cent(?:er|re)|institute|group|lab|laboratory)\b"
                    r"|\bdepartment of epidemiology\b|\bgraduate students\b|\bstaff (?:&|and) students\b",
                    _I,
                ),
            ),
            (
                1,
                re.compile(
                    r"\bcollege\b(?! of )|\binstitute\b|\beducation\b|\blibrary\b|\bstudents\b|\bscientists\b"
                    r"|\bmedical research\b",
                    _I,
                ),
            ),
        ],
    ),
    (
        "hospital_health_system",
        [
            (
                2,
                re.compile(
                    r"\bhospitals?\b|\bhealth ?(?:care)? system\b|\bmedical cent(?:er|re)\b|\bhealth cent(?:er|re)\b"
                    r"|\burgent care\b|\bcancer cent(?:er|re)\b|\bphysician (?:group|practice)\b"
                    r"|\bgroup of physicians\b|\bspecialty (?:physician )?practice\b|\bhealth(?:care)? provider\b"
                    r"|\bhome health\b|\bcare (?:home|agency)\b|\bnursing home\b|\bpharmac(?:y|ies)\b"
                    r"|\bwellness practice\b|\bNHS (?:foundation )?trust\b|\bdepartment of (?:radiology|medicine|"
                    r"surgery|\w+ology)\b|\b(?:make|book|schedule) an? appointment\b|\bpatient care\b"
                    r"|\bexceptional care\b|\bclinic(?:s)?\b",
                    _I,
                ),
            ),
        ],
    ),
    (
        "vendor_industry",
        [
            (
                3,
                re.compile(
                    r"\bmedical (?:devices?|equipment|technology)\b|\bmedtech\b|\bpharma(?:ceutical)?s?\b"
                    r"|\bbiotech\w*\b|\bbiopharma\w*\b|\bdrug (?:company|maker|developer)\b"
                    r"|\bdiagnostics? (?:company|provider|tool)\b|\b(?:ai|artificial intelligence|deep learning|"
                    r"machine learning) (?:software|platform|company|solutions?|startup|start-up|tools?)\b"
                    r"|\bhealth ?(?:care)? ?(?:it|tech|technology|software)\b|\bclinical decision support\b"
                    r"|\bbook a demo\b|\bfda[- ](?:cleared|approved)\b|\bimaging solutions\b",
                    _I,
                ),
            ),
            (1, re.compile(r"\bmanufacturer\b|\bmanufactures?\b|\bsoftware\b|\bsystems\b", _I)),
        ],
    ),
    (
        "advocacy_nonprofit",
        [
            (
                2,
                re.compile(
                    r"\bnon-?profit\b|\bnot-for-profit\b|\bcharit(?:y|able)\b|\bfoundation\b|\bngo\b"
                    r"|\bnon-?governmental\b|\bhumanitarian\b|\badvocacy\b|\bsupport (?:group|network|community)\b"
                    r"|\bvolunteer(?:-run|s)?\b|\bfundrais\w*\b|\bpatient (?:organi[sz]ation|group)\b"
                    r"|\bthe (?:national )?voice (?:for|of)\b|\bpeople (?:affected|impacted|living) (?:by|with)\b"
                    r"|\b(?:curing|fighting|beat(?:ing)?) (?:cancer|poverty|hunger)\b|\bmedical aid\b"
                    r"|\bempower\w*\b|\bawareness\b|\bMSF\b|\brelief\b|\bpatients?/survivors\b",
                    _I,
                ),
            ),
        ],
    ),
    (
        "media_outlet",
        [
            (
                2,
                re.compile(
                    r"\bnews\b|\bmagazine\b|\bnewspaper\b|\bradio\b|\btv\b|\btelevision\b|\bchannel\b|\bpodcast\b"
                    r"|\bbroadcast\w*\b|\bheadlines\b|\breporting\b|\bpublication\b|\brevista\b|\bnoticias\b"
                    r"|\bmedia outlet\b|\btalk ?show\b|\bhealth series\b",
                    _I,
                ),
            ),
        ],
    ),
]
_ORG_ORDER = {t: i for i, (t, _) in enumerate(_ORG_TYPES)}
_MENTION_RE = re.compile(r"@\w+")
_FAMILY_RE = re.compile(
    r"\b(?:son|daughter|child|kids?|teen\w*|boy|girl|husband|wife|baby|children)\b", _I
)
_PHARMA_RE = re.compile(
    r"\bpharma\w*|\bbiotech\w*|\bdrugs?\b|\btherapeutics\b|\bcontrast agents?\b", _I
)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][a-z]+)?")


@dataclass(frozen=True, slots=True)
class StakeholderDecision:
    value: str
    score: float
    reasons: tuple[str, ...]
    symplur: str


def to_symplur(value: str, bio: str = "", name: str = "") -> str:
    """Map a radsocial stakeholder label onto Symplur's segments (three are refined by bio)."""
    if value not in SYMPLUR_MAP:
        raise ValueError(f"unknown stakeholder label {value!r}")
    text = f"{name} {bio}"
    if value == "other_individual":
        return "Individual Health" if _HEALTH_WORDS.search(text) else "Individual Non-Health"
    if value == "vendor_industry":
        return "Org. Pharma" if _PHARMA_RE.search(text) else "Org. MedDevice"
    if value == "other_organisation":
        return "Org. Other Healthcare" if _HEALTH_WORDS.search(text) else "Org. Non-Health"
    seg = SYMPLUR_MAP[value]
    assert seg in SYMPLUR_SEGMENTS
    return seg


def _mask(text: str) -> str:
    for rx, repl in _MASKS:
        text = rx.sub(repl, text)
    return text


class StakeholderClassifier:
    name = "stakeholder-rules"
    task = "stakeholder"
    version = "1.0"
    description = (
        "Author stakeholder (radsocial taxonomy, mapped onto Symplur's 19 segments) from registry, "
        "name, handle and bio rules; 'unknown' when the bio does not say."
    )
    values = STAKEHOLDERS
    multi_label = False

    def __init__(self, registry: Registry | None = None):
        self.registry = registry

    # -- public API -----------------------------------------------------------------------------
    def decide(
        self, handle: str | None, name: str | None, bio: str | None, platform: str = "x"
    ) -> StakeholderDecision:
        handle = (handle or "").strip().lstrip("@")
        name = (name or "").strip()
        bio = (bio or "").strip()
        value, score, reasons = self._decide(handle, name, bio, platform)
        return StakeholderDecision(value, score, reasons, to_symplur(value, bio, name))

    def classify_account(self, account: Account) -> list[Label]:
        d = self.decide(account.handle, account.name, account.bio, account.platform)
        return [self._label(d, (account.platform, account.account_id))]

    def classify(self, post: Post) -> list[Label]:
        if post.author is not None:
            return self.classify_account(post.author)
        d = self.decide(post.author_handle, None, None, post.platform)
        key = (post.platform, post.author_id) if post.author_id else None
        return [self._label(d, key)]

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        """`text` is the bio; pass handle= and name= as context."""
        d = self.decide(
            context.get("handle"), context.get("name"), text, context.get("platform", "x")
        )
        return [self._label(d, None)]

    def classify_many(self, accounts: Iterable[Account]) -> list[list[Label]]:
        return [self.classify_account(a) for a in accounts]

    def _label(self, d: StakeholderDecision, key: tuple[str, str] | None) -> Label:
        return Label(
            self.task,
            d.value,
            d.score,
            d.reasons,
            "rule",
            self.version,
            self.name,
            key,
            {"symplur": d.symplur},
        )

    # -- rules ------------------------------------------------------------------------------------
    def _decide(
        self, handle: str, name: str, bio: str, platform: str
    ) -> tuple[str, float, tuple[str, ...]]:
        reg = self.registry if self.registry is not None else default_registry()
        if handle:
            ent = reg.entity_for_handle(platform, handle)
            if ent is not None:
                return ent.kind, 0.95, (f"registry: entities.{ent.key} ({ent.name})",)
        bio = _URL_RE.sub(" ", bio).strip()
        if not bio:
            return self._from_name(handle, name)
        masked = _mask(_MENTION_RE.sub(" ", bio))
        roles: dict[str, str] = {}
        for label, rx in _ROLE_PATTERNS:
            m = rx.search(masked)
            if m:
                roles[label] = m.group(0).strip()
        if "patient_advocate" not in roles and (m := _CELIAC_SELF_RE.search(masked)):
            roles["patient_advocate"] = m.group(0).strip(" ,.;|")
        if "NOTDOCTOR" in masked:
            roles.pop("other_physician", None)
        if _NAME_MD_RE.search(name) and not roles.keys() & {
            "radiologist",
            "radiology_trainee",
            "medical_student",
        }:
            roles.setdefault("other_physician", f"name '{name}'")
        elif _NAME_RN_RE.search(name):
            roles.setdefault("other_hcp", f"name '{name}'")

        tokens = [t.lower() for t in _TOKEN_RE.findall(masked)]
        tokset = set(tokens)
        fp = tokset & _FIRST_PERSON
        ident = tokset & _IDENTITY

        if (m := _BOT_RE.search(masked)) is not None:
            return "spam_bot", 0.8, (f"bot: '{m.group(0)}'",)
        spam = _SPAM_RE.findall(masked)
        if (
            spam
            and not (roles.keys() & _PROFESSIONAL)
            and "journalist" not in roles
            and (len(spam) >= 2 or not (roles or fp or ident))
        ):
            return "spam_bot", 0.7, tuple(f"spam marker '{x}'" for x in spam[:3])

        ind, ind_reasons = 0.0, []  # evidence that the account is one person
        org, org_reasons = 0.0, []  # evidence that it is an organisation
        if roles:
            ind += 3
            ind_reasons.append("role")
        if fp:
            ind += 3
            ind_reasons.append(f"first person ({sorted(fp)[0]})")
        if ident:
            ind += min(3, len(ident)) * 1.5
            ind_reasons.append(f"identity ({', '.join(sorted(ident)[:3])})")
        if _PERSONAL_RE.search(masked):
            ind += 3
            ind_reasons.append("personal views disclaimer")
        if (m := _INDIVIDUAL_RE.search(masked)) is not None:
            ind += 3
            ind_reasons.append(f"'{m.group(0).strip()}'")
        we = tokset & _WE
        if we:
            org += 3
            org_reasons.append(f"'{sorted(we)[0]}'")
        if (m := _ORG_RE.search(masked) or _ORG_SUBJECT_RE.search(masked)) is not None:
            org += 2.5
            org_reasons.append(f"'{m.group(0).strip()[:40]}'")
        if (m := _ORG_NAME_RE.search(f"{name} {_split_handle(handle)}")) is not None:
            org += 2
            org_reasons.append(f"name '{m.group(0)}'")
        types = self._org_types(masked)
        if (m := _SUBJECT_RE.match(masked)) is not None:  # "Chicago Health Magazine is ..."
            for t, w in self._org_types(m.group(1)).items():
                types[t] = types.get(t, 0.0) + w + 3
        if (m := _IS_A_RE.search(masked)) is not None:
            t = _NOUN_TYPE.get(m.group("noun").lower(), "")
            if t == "other_organisation" and _MEDICAL_INDUSTRY_RE.search(masked):
                t = "vendor_industry"
            if t:
                types[t] = types.get(t, 0.0) + 5
            org += 2.5
            org_reasons.append(f"'{m.group(0)}'")
        biz = _BUSINESS_RE.findall(masked)
        if biz:
            org += min(3.0, 1.5 * len(biz))
            types["other_organisation"] = types.get("other_organisation", 0.0) + 1.5 * len(biz)
            org_reasons.append(f"business ({biz[0]})")
        if types:
            org += min(3.0, sum(types.values()) / 2)

        def best_type() -> str:
            return max(types, key=lambda t: (types[t], -_ORG_ORDER.get(t, 99)))

        if org > ind and org >= 2:
            if types:
                b = best_type()
                return b, 0.75, (*org_reasons, f"{b} cues ({types[b]:g})")
            return "other_organisation", 0.6, (*org_reasons, "organisation without a type cue")
        if "researcher_academic" in roles and "journalist" in roles:
            # neither is clinical: the role the bio states first wins
            pos = {lab: masked.find(roles[lab]) for lab in ("researcher_academic", "journalist")}
            roles.pop(max(pos, key=lambda lab: pos[lab]))
        if (
            "caregiver" in roles
            and "patient_advocate" in roles
            and _FAMILY_RE.search(roles["caregiver"])
        ):
            roles.pop("patient_advocate")  # the diagnosis belongs to the family member
        for label in _ROLE_ORDER:
            if label in roles:
                strong = label in _PROFESSIONAL or label in ("medical_student", "journalist")
                return label, 0.85 if strong else 0.75, (f"bio: '{roles[label]}'", *ind_reasons[1:])
        if (
            ident
            or fp
            or "NOTDOCTOR" in masked
            or _PERSONAL_RE.search(masked)
            or _INDIVIDUAL_RE.search(masked)
        ):
            return "other_individual", 0.65, tuple(ind_reasons)
        if types and max(types.values()) >= 2 and org >= ind:
            b = best_type()  # a bio that only describes an organisation ("Daily news on ...")
            return b, 0.55, (*org_reasons, f"{b} cues ({types[b]:g})")
        if org >= 2 and org > ind:
            return "other_organisation", 0.5, tuple(org_reasons)
        return "unknown", 0.6, ("the bio does not say what the account is",)

    @staticmethod
    def _org_types(text: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for t, pats in _ORG_TYPES:
            total = 0.0
            for weight, rx in pats:
                total += weight * min(2, len(rx.findall(text)))
            if total:
                out[t] = total
        if (
            "vendor_industry" in out
            and out["vendor_industry"] < 3
            and not _MEDICAL_INDUSTRY_RE.search(text)
        ):
            del out["vendor_industry"]  # a gym-equipment manufacturer is not health industry
        return out

    def _from_name(self, handle: str, name: str) -> tuple[str, float, tuple[str, ...]]:
        if name and _NAME_PHYSICIAN_RE.search(name) and _NAME_MD_RE.search(name):
            return "other_physician", 0.6, (f"name '{name}' (no bio)",)
        if name and _NAME_RN_RE.search(name):
            return "other_hcp", 0.55, (f"name '{name}' (no bio)",)
        words = f"{name} {_split_handle(handle)}"
        types = self._org_types(words)
        if types and _ORG_NAME_RE.search(words):
            best = max(types, key=lambda t: (types[t], -_ORG_ORDER[t]))
            return best, 0.5, (f"name '{name or handle}' (no bio)",)
        return "unknown", 0.8, ("no bio",)


_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|_")


def _split_handle(handle: str) -> str:
    """'NortonHealth_care' -> 'Norton Health care' (handles are often CamelCase)."""
    return _CAMEL_RE.sub(" ", handle)
