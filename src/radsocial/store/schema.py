"""The database schema as SQLAlchemy Core tables.

This module describes the *current* schema; the Alembic migrations in
`radsocial/store/migrations/versions` build it step by step, and a test checks that the
two agree. Backend-specific objects (SQLite FTS5, PostgreSQL tsvector) live in the
migrations and `radsocial.store.dialect`, not here.

Design notes
- Post ids are allocated by the store (not by autoincrement) so that a batch can write
  posts and their child rows in one pass with `executemany`.
- Hashtags, mentions and links are stored twice on purpose: as JSON on the post row
  (reading a post back is one row) and in child tables (indexed, for counting).
- The raw payload is kept zstd-compressed, once per record (an X v2 page holds up to
  500 posts), keyed by its SHA-1 so that re-importing a file adds nothing.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

metadata = MetaData()

raw_records = Table(
    "raw_records",
    metadata,
    Column("id", BigInteger, Sequence("raw_records_id_seq"), primary_key=True, autoincrement=False),
    Column("sha1", String(40), nullable=False, unique=True),
    Column("format", String(40), nullable=False),
    Column("source", Text, nullable=False),
    Column("line", Integer),
    Column("received_at", DateTime(timezone=True)),
    Column("read_at", DateTime(timezone=True), nullable=False),
    Column("tool_version", String(20), nullable=False),
    Column("import_id", Integer),
    Column("meta", JSON),
    Column("size", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # zstd
)

posts = Table(
    "posts",
    metadata,
    Column("id", BigInteger, Sequence("posts_id_seq"), primary_key=True, autoincrement=False),
    Column("platform", String(16), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("url", Text),
    Column("author_id", String(200)),
    Column("author_handle", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("lang", String(16)),
    Column("kind", String(10), nullable=False),
    Column("reply_to_id", String(200)),
    Column("reply_to_author_id", String(200)),
    Column("quote_of_id", String(200)),
    Column("repost_of_id", String(200)),
    Column("conversation_id", String(200)),
    Column("likes", BigInteger),
    Column("reposts", BigInteger),
    Column("replies", BigInteger),
    Column("quotes", BigInteger),
    Column("views", BigInteger),
    # The author's follower count as the payload gave it when the post was read: the
    # per-post term of Symplur's impressions (Σ posts × followers).
    Column("author_followers", BigInteger),
    Column("n_hashtags", SmallInteger, nullable=False),
    Column("n_mentions", SmallInteger, nullable=False),
    Column("n_links", SmallInteger, nullable=False),
    Column("n_media", SmallInteger, nullable=False),
    Column("entities", JSON, nullable=False),  # {"hashtags","mentions","links","media"}
    Column("extras", JSON),
    Column("raw_id", BigInteger, ForeignKey("raw_records.id")),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "platform_id", name="uq_posts_platform_id"),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_author", "platform", "author_handle"),
    Index("ix_posts_kind", "kind"),
)

post_hashtags = Table(
    "post_hashtags",
    metadata,
    Column("post_id", BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(280), primary_key=True),  # lowercase, without '#'
    Index("ix_post_hashtags_tag", "tag", "post_id"),
)

post_mentions = Table(
    "post_mentions",
    metadata,
    Column("post_id", BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("handle", String(200), primary_key=True),  # lowercase, without '@'
    Index("ix_post_mentions_handle", "handle", "post_id"),
)

post_links = Table(
    "post_links",
    metadata,
    Column("post_id", BigInteger, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("url", Text, primary_key=True),
    Column("domain", String(253)),
    Index("ix_post_links_domain", "domain"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", BigInteger, Sequence("accounts_id_seq"), primary_key=True, autoincrement=False),
    Column("platform", String(16), nullable=False),
    Column("account_id", String(200), nullable=False),  # '@handle' when only a handle is known
    Column("handle", String(200)),
    Column("name", Text),
    Column("bio", Text),
    Column("followers", BigInteger),
    Column("following", BigInteger),
    Column("posts_count", BigInteger),
    Column("verified", Boolean),
    Column("created_at", DateTime(timezone=True)),
    Column("location", Text),
    Column("url", Text),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    # The effective stakeholder label (a manual label wins; among several, the
    # alphabetically first), "unknown" when none: derived from account_labels by the
    # database's triggers (migration 0009), whatever writes the labels. The writer
    # never sets it.
    Column("stakeholder", String(80), nullable=False, server_default="unknown"),
    UniqueConstraint("platform", "account_id", name="uq_accounts_platform_id"),
    Index("ix_accounts_handle", "platform", "handle"),
    # covers the census of accounts by label: counts, first / last seen, medians
    Index(
        "ix_accounts_stakeholder", "platform", "stakeholder", "followers", "first_seen", "last_seen"
    ),
)
# Selections by account compare lowercase handles (`queries.where`).
Index("ix_posts_lower_author", func.lower(posts.c.author_handle))
# Reports look accounts up by lowercase handle (rollups and mentions keep handles so).
Index("ix_accounts_lower_handle", accounts.c.platform, func.lower(accounts.c.handle))

account_snapshots = Table(
    "account_snapshots",
    metadata,
    Column(
        "account_pk", BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("observed_on", Date, primary_key=True),
    Column("handle", String(200)),
    Column("name", Text),
    Column("bio", Text),
    Column("followers", BigInteger),
    Column("following", BigInteger),
    Column("posts_count", BigInteger),
    Column("verified", Boolean),
    Column("location", Text),
    Column("url", Text),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running, completed, interrupted, failed
    Column("paths", JSON, nullable=False),
    Column("format", String(40)),
    Column("options", JSON),
    Column("files", Integer, nullable=False, default=0),
    Column("records", Integer, nullable=False, default=0),
    Column("posts_read", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("duplicate", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    # posts read from records that `radsocial generate` marked synthetic (migration 0007)
    Column("synthetic", Integer, nullable=False, default=0, server_default="0"),
    Column("quarantine", Text),
    Column("tool_version", String(20), nullable=False),
)

# Labels: classifier decisions and manual codes, for posts and for accounts.
# A manual label (method "manual") always wins; classifiers never overwrite one.


def _label_table(name: str, owner: str, target: str) -> Table:
    return Table(
        name,
        metadata,
        Column(owner, BigInteger, ForeignKey(target, ondelete="CASCADE"), primary_key=True),
        Column("task", String(40), primary_key=True),
        Column("value", String(80), primary_key=True),
        Column("method", String(10), primary_key=True),  # rule, model, manual
        Column("coder", String(80), primary_key=True),  # "" for classifiers
        Column("score", Float),
        Column("reasons", JSON),
        Column("version", String(40), nullable=False),
        Column("classifier", String(40), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index(f"ix_{name}_task_value", "task", "value", owner),
    )


post_labels = _label_table("post_labels", "post_id", "posts.id")
# The hand-coded labels by task and coder (migration 0012): the labelling page counts
# each coder's posts and compares two coders, and the effective-label queries ask which
# posts have a manual label; without it each read every label of the task (1M rows at
# 1M posts: 0.8 s). Partial: machine labels, nearly all rows, stay out of it.
Index(
    "ix_post_labels_manual",
    post_labels.c.task,
    post_labels.c.coder,
    post_labels.c.post_id,
    sqlite_where=text("method = 'manual'"),
    postgresql_where=text("method = 'manual'"),
)
account_labels = _label_table("account_labels", "account_pk", "accounts.id")

# How far each classifier has got: rows up to `last_id` were classified with `version`.
classifier_state = Table(
    "classifier_state",
    metadata,
    Column("target", String(10), primary_key=True),  # "posts" or "accounts"
    Column("classifier", String(40), primary_key=True),
    Column("version", String(40), nullable=False),
    Column("last_id", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# --- Rollups (radsocial.store.rollups) ---------------------------------------------------
# Kept current after every import from posts with id > rollup_state.last_post_id, so that
# summaries, time series and top lists over millions of posts read thousands of rows.
# tag "" holds every post (the whole store); otherwise one row set per lowercase hashtag.
# Hours and days are integers since the Unix epoch (UTC): any whole-hour time zone can be
# bucketed from them, and range filters are integer comparisons on both backends.

ROLLUP_MEASURES = (
    "posts",
    "reposts",
    "replies",
    "quotes",
    "with_links",
    "with_media",
    "media",
    "with_mentions",
    "impressions",
    "views",
    "with_views",
)

rollup_hour = Table(
    "rollup_hour",
    metadata,
    Column("tag", String(280), primary_key=True),
    Column("hour", BigInteger, primary_key=True),
    Column("platform", String(16), primary_key=True),
    *(Column(m, BigInteger, nullable=False) for m in ROLLUP_MEASURES),
)

# The same measures per UTC day: long periods (a year, the whole store by month) read
# 24 times fewer rows than from rollup_hour.
rollup_day = Table(
    "rollup_day",
    metadata,
    Column("tag", String(280), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    *(Column(m, BigInteger, nullable=False) for m in ROLLUP_MEASURES),
)

# The same per post kind (original, reply, repost, quote): a selection by kind —
# the explorer's "originals of #tag on X" — reads these instead of every post of the
# tag (migration 0009). By day only: hours and key rollups stay kind-blind.
rollup_kind_day = Table(
    "rollup_kind_day",
    metadata,
    Column("tag", String(280), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("kind", String(10), primary_key=True),
    *(Column(m, BigInteger, nullable=False) for m in ROLLUP_MEASURES),
)

# Per day, the counts of one dimension's keys: author (participants, top accounts),
# cotag (co-hashtags), mention (mentioned handles), domain (linked sites).
rollup_key_day = Table(
    "rollup_key_day",
    metadata,
    Column("dim", String(8), primary_key=True),
    Column("tag", String(280), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("reposts", BigInteger, nullable=False),
    Column("impressions", BigInteger, nullable=False),
)

rollup_key_year = Table(
    "rollup_key_year",
    metadata,
    Column("dim", String(8), primary_key=True),
    Column("tag", String(280), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("reposts", BigInteger, nullable=False),
    Column("impressions", BigInteger, nullable=False),
)

# rollup_key_year per post kind too, for the dims "author" and "hashtag" only (migration
# 0013): the explorer's top accounts and co-hashtags of "originals of #tag on X" read
# these instead of the tag's posts (250,000 for #radiology at 1M posts). Per year only:
# a day grain per kind would repeat rollup_key_day's millions of rows for authors.
# WITHOUT ROWID on SQLite: the rows live in the primary key's b-tree, which a rowid
# table repeats beside itself (78 instead of 152 MB at 1M posts, measured).
rollup_key_kind_year = Table(
    "rollup_key_kind_year",
    metadata,
    Column("dim", String(8), primary_key=True),
    Column("tag", String(280), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("reposts", BigInteger, nullable=False),
    Column("impressions", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)


# Per author (platform, author id, lowercase handle; "" where the post has none): posts,
# reposts, impressions and the first and last post time, in total and per UTC calendar
# year. The census and whole-store top accounts read these instead of grouping a million
# posts by author (radsocial.store.rollups).
# `stakeholder` is the author's account's `accounts.stakeholder` ("unknown" without
# one), kept by the database's triggers when labels change and set by the refresh for
# new rows (migration 0009), so that the census groups by label inside the database.
def _author_measures() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("posts", BigInteger, nullable=False),
        Column("reposts", BigInteger, nullable=False),
        Column("impressions", BigInteger, nullable=False),
        Column("first_at", DateTime(timezone=True), nullable=False),
        Column("last_at", DateTime(timezone=True), nullable=False),
        Column("stakeholder", String(80), nullable=False, server_default="unknown"),
    ]


rollup_author = Table(
    "rollup_author",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("author_id", String(200), primary_key=True),
    Column("handle", String(200), primary_key=True),
    *_author_measures(),
    Index("ix_rollup_author_handle", "platform", "handle"),
)

rollup_author_year = Table(
    "rollup_author_year",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("author_id", String(200), primary_key=True),
    Column("handle", String(200), primary_key=True),
    Column("year", Integer, primary_key=True),
    *_author_measures(),
    Index("ix_rollup_author_year_handle", "platform", "handle"),
)

# The interaction graph of whole UTC days over every post (migration 0014): who links to
# whom (`radsocial.store.interactions`), counted per day when posts are imported, so that
# the influencers and network of a month read ~15,000 rows instead of joining its posts
# to their reply parents, reposted originals and mentions (`radsocial.store.link_rollup`).
# - rollup_link_day: per (day, platform, author node, target node, kind mask — bit i is
#   interactions.KINDS[i]) the posts that link them by exactly those kinds, so that a
#   graph of any subset of kinds counts a post once;
# - rollup_poster_day: per (day, platform, author node, author's key in `accounts`, handle
#   as written) the author's posts, impressions and highest follower count;
# - rollup_link_lost: per (day, platform, kind) the replies, reposts and quotes whose
#   target could not be named;
# - rollup_link_refs: the references on which a day's links depend and that may resolve
#   later — "p:" + a reply parent, original or quoted post that is not stored, "a:" + the
#   account id every reply answers — so that a post or account arriving later has the
#   days that named it recounted;
# - rollup_link_dirty: accounts added or renamed since the last refresh (the writer's).
# Keys are Text: a mentioned handle is as long as the post wrote it. WITHOUT ROWID on
# SQLite: each table is read in key order, and its rows live in the key.
rollup_link_day = Table(
    "rollup_link_day",
    metadata,
    Column("day", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("src", Text, primary_key=True),
    Column("dst", Text, primary_key=True),
    Column("mask", SmallInteger, primary_key=True),
    Column("posts", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

rollup_poster_day = Table(
    "rollup_poster_day",
    metadata,
    Column("day", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("src", Text, primary_key=True),
    Column("account", Text, primary_key=True),
    Column("written", Text, primary_key=True),  # "" for posts without a handle
    Column("posts", BigInteger, nullable=False),
    Column("impressions", BigInteger, nullable=False),
    Column("followers", BigInteger),
    sqlite_with_rowid=False,
)

rollup_link_lost = Table(
    "rollup_link_lost",
    metadata,
    Column("day", Integer, primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("posts", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

rollup_link_refs = Table(
    "rollup_link_refs",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("ref", Text, primary_key=True),
    Column("day", Integer, primary_key=True),
    Index("ix_rollup_link_refs_day", "day"),
    sqlite_with_rowid=False,
)

rollup_link_dirty = Table(
    "rollup_link_dirty",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account_id", String(200), primary_key=True),
    sqlite_with_rowid=False,
)

# The author rollups grouped by label: per (platform, stakeholder, UTC year; year 0 =
# every year) posts, distinct authors and first / last post. Regrouped from them by
# `census_rollup.settle` whenever `census_dirty` has rows — which the label triggers and
# `rollups.refresh` leave (migration 0009) — so the census reads a few hundred rows.
census_stakeholder = Table(
    "census_stakeholder",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("stakeholder", String(80), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("posts", BigInteger, nullable=False),
    Column("authors", BigInteger, nullable=False),
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
)

# One row per transaction that changed what census_stakeholder is grouped from
# (PostgreSQL: its txid, so concurrent writers never contend; SQLite: 0).
census_dirty = Table(
    "census_dirty", metadata, Column("txid", BigInteger, primary_key=True, autoincrement=False)
)

rollup_state = Table(
    "rollup_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("last_post_id", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- Web app users, alerts, settings (radsocial.web, radsocial.alerts) --------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("is_admin", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),  # never the token
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # keyword, account, spike, sentiment_drop
    Column("params", JSON, nullable=False),
    Column("channels", JSON, nullable=False),  # [{"type": "email"|"webhook", ...}]
    Column("enabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_checked_post_id", BigInteger),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", JSON),
    Column("deliveries", JSON),  # [{"channel": ..., "status": "sent"|"failed", "error": ...}]
    Index("ix_alert_events_rule", "rule_id", "fired_at"),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
