"""Stakeholder labels kept by the database for the census: `accounts.stakeholder`, the
author rollups' `stakeholder`, and the label-keyed `census_stakeholder` table; and the
day rollups per post kind (`rollup_kind_day`), filled for the posts already counted.

The census of every author by stakeholder attached a label to each of 67,000 accounts
and 316,000 author-years in Python (2 s at 1M posts, measured). Labels change without
posts changing — `radsocial classify`, re-classification after a version change, hand
coding, `radsocial label import`, rows written directly — so what is derived from them
is kept by triggers on `account_labels`, whatever writes them:

- account_labels -> accounts.stakeholder: the account's effective label (a manual label
  wins; among several, the alphabetically first), "unknown" when it has none;
- accounts.stakeholder -> rollup_author(_year).stakeholder: every row of the author the
  account is (its author id, else '@' + handle for handle-only sources, as the census
  has always matched them); an account removed makes its rows "unknown";
- and each change leaves a row in `census_dirty`, which tells the census to regroup
  `census_stakeholder` (posts, authors, first and last post per platform, label and
  year; year 0 = every year) from the author rollups before reading it. `rollups.refresh`
  leaves one too when it counts new posts.

SQLite runs the triggers per row (its writers are serialized, so one dirty row, key 0,
is enough); PostgreSQL per statement over transition tables, and keys the dirty rows by
transaction id so that concurrent writers never wait on one another's marker. The
writer never sets `accounts.stakeholder`, so imports fire none of these triggers.

The upgrade fills every column from the labels already stored.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ROLLUPS = ("rollup_author", "rollup_author_year")
_UNKNOWN = "'unknown'"
#: the key of pg_advisory_xact_lock that label writes and the rollup refresh share
#: (see rollups.LABEL_LOCK)
_LOCK = 727_100_009


def _effective(pk: str) -> str:
    """SQL of account `pk`'s effective stakeholder label, "unknown" when none."""
    lab = f"SELECT min(value) FROM account_labels WHERE account_pk = {pk} AND task = 'stakeholder'"
    return f"coalesce(({lab} AND method = 'manual'), ({lab}), 'unknown')"


def _sqlite_sync(pk: str) -> str:
    v = _effective(pk)
    return f"UPDATE accounts SET stakeholder = {v} WHERE id = {pk} AND stakeholder IS NOT {v}; "


def _sqlite_rows(row: str, value: str) -> str:
    """SQLite statements that set the author rollup rows of account `row` to `value`."""
    out = []
    for t in _ROLLUPS:
        out.append(
            f"UPDATE {t} SET stakeholder = {value} "
            f"WHERE platform = {row}.platform AND author_id = {row}.account_id; "
        )
        out.append(
            f"UPDATE {t} SET stakeholder = {value} "
            f"WHERE platform = {row}.platform AND author_id = '' AND handle <> '' "
            f"AND substr({row}.account_id, 1, 1) = '@' AND handle = substr({row}.account_id, 2); "
        )
    return "".join(out) + "INSERT OR IGNORE INTO census_dirty (txid) VALUES (0); "


def _sqlite_triggers() -> list[str]:
    return [
        "CREATE TRIGGER account_labels_stakeholder_ai AFTER INSERT ON account_labels "
        f"WHEN NEW.task = 'stakeholder' BEGIN {_sqlite_sync('NEW.account_pk')}END",
        "CREATE TRIGGER account_labels_stakeholder_ad AFTER DELETE ON account_labels "
        f"WHEN OLD.task = 'stakeholder' BEGIN {_sqlite_sync('OLD.account_pk')}END",
        "CREATE TRIGGER account_labels_stakeholder_au AFTER UPDATE ON account_labels "
        "WHEN OLD.task = 'stakeholder' OR NEW.task = 'stakeholder' "
        f"BEGIN {_sqlite_sync('OLD.account_pk')}{_sqlite_sync('NEW.account_pk')}END",
        "CREATE TRIGGER accounts_stakeholder_au AFTER UPDATE OF stakeholder ON accounts "
        "WHEN OLD.stakeholder IS NOT NEW.stakeholder "
        f"BEGIN {_sqlite_rows('NEW', 'NEW.stakeholder')}END",
        "CREATE TRIGGER accounts_stakeholder_ad AFTER DELETE ON accounts "
        f"WHEN OLD.stakeholder <> 'unknown' BEGIN {_sqlite_rows('OLD', _UNKNOWN)}END",
    ]


def _pg_rows(source: str, value: str) -> str:
    """CTE items setting the author rollup rows of the accounts in `source`."""
    items = []
    for i, t in enumerate(_ROLLUPS):
        for j, match in enumerate(
            (
                "r.author_id = c.account_id",
                "r.author_id = '' AND r.handle <> '' AND left(c.account_id, 1) = '@' "
                "AND r.handle = substr(c.account_id, 2)",
            )
        ):
            items.append(
                f"u{i}{j} AS (UPDATE {t} r SET stakeholder = {value} FROM {source} c "
                f"WHERE r.platform = c.platform AND {match} RETURNING 1)"
            )
    return ",\n    ".join(items)


# One statement per label change: the accounts whose effective label moved, then their
# rollup rows (data-modifying CTEs all run, on the same snapshot), then the dirty row.
_PG_SYNC = f"""
CREATE FUNCTION radsocial_sync_stakeholders(pks bigint[]) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock({_LOCK});
    WITH eff AS (
        SELECT a.id, coalesce((
            SELECT coalesce(min(l.value) FILTER (WHERE l.method = 'manual'), min(l.value))
            FROM account_labels l WHERE l.account_pk = a.id AND l.task = 'stakeholder'
        ), 'unknown') AS v
        FROM accounts a WHERE a.id = ANY(pks)
    ),
    changed AS (
        UPDATE accounts a SET stakeholder = e.v FROM eff e
        WHERE a.id = e.id AND a.stakeholder IS DISTINCT FROM e.v
        RETURNING a.platform, a.account_id, a.stakeholder
    ),
    {_pg_rows("changed", "c.stakeholder")}
    INSERT INTO census_dirty (txid)
    SELECT txid_current() WHERE EXISTS (SELECT 1 FROM changed)
    ON CONFLICT DO NOTHING;
$$
"""

_PG_LABELS_CHANGED = """
CREATE FUNCTION radsocial_account_labels_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM radsocial_sync_stakeholders(
        ARRAY(SELECT DISTINCT account_pk FROM changed WHERE task = 'stakeholder'));
    RETURN NULL;
END $$
"""

_PG_LABEL_UPDATED = """
CREATE FUNCTION radsocial_account_label_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.task = 'stakeholder' OR NEW.task = 'stakeholder' THEN
        PERFORM radsocial_sync_stakeholders(ARRAY[OLD.account_pk, NEW.account_pk]);
    END IF;
    RETURN NULL;
END $$
"""

_PG_ACCOUNTS_DELETED = f"""
CREATE FUNCTION radsocial_accounts_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({_LOCK});
    WITH gone AS (SELECT platform, account_id FROM changed WHERE stakeholder <> 'unknown'),
    {_pg_rows("gone", _UNKNOWN)}
    INSERT INTO census_dirty (txid)
    SELECT txid_current() WHERE EXISTS (SELECT 1 FROM gone)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""


def _pg_statements() -> list[str]:
    return [
        _PG_SYNC,
        _PG_LABELS_CHANGED,
        _PG_LABEL_UPDATED,
        _PG_ACCOUNTS_DELETED,
        "CREATE TRIGGER account_labels_stakeholder_ai AFTER INSERT ON account_labels "
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_labels_changed()",
        "CREATE TRIGGER account_labels_stakeholder_ad AFTER DELETE ON account_labels "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_labels_changed()",
        "CREATE TRIGGER account_labels_stakeholder_au AFTER UPDATE ON account_labels "
        "FOR EACH ROW EXECUTE FUNCTION radsocial_account_label_updated()",
        "CREATE TRIGGER accounts_stakeholder_ad AFTER DELETE ON accounts "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_accounts_deleted()",
    ]


_TRIGGERS = (
    ("account_labels_stakeholder_ai", "account_labels"),
    ("account_labels_stakeholder_ad", "account_labels"),
    ("account_labels_stakeholder_au", "account_labels"),
    ("accounts_stakeholder_au", "accounts"),
    ("accounts_stakeholder_ad", "accounts"),
)
_FUNCTIONS = (
    "radsocial_accounts_deleted()",
    "radsocial_account_label_updated()",
    "radsocial_account_labels_changed()",
    "radsocial_sync_stakeholders(bigint[])",
)


def _fill() -> None:
    """Labels from those stored; the census table is left to its first reader."""
    op.execute(
        f"UPDATE accounts SET stakeholder = {_effective('accounts.id')} WHERE id IN "
        "(SELECT account_pk FROM account_labels WHERE task = 'stakeholder')"
    )
    for t in _ROLLUPS:
        who = (
            f"CASE WHEN {t}.author_id <> '' THEN {t}.author_id "
            f"WHEN {t}.handle <> '' THEN '@' || {t}.handle END"
        )
        op.execute(
            f"UPDATE {t} SET stakeholder = coalesce((SELECT a.stakeholder FROM accounts a "
            f"WHERE a.platform = {t}.platform AND a.account_id = {who}), 'unknown')"
        )
    op.execute("INSERT INTO census_dirty (txid) VALUES (0)")


def _label() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("stakeholder", sa.String(80), nullable=False, server_default="unknown")


_MEASURES = {
    "posts": "count(*)",
    "reposts": "sum(CASE WHEN p.kind = 'repost' THEN 1 ELSE 0 END)",
    "replies": "sum(CASE WHEN p.kind = 'reply' THEN 1 ELSE 0 END)",
    "quotes": "sum(CASE WHEN p.kind = 'quote' THEN 1 ELSE 0 END)",
    "with_links": "sum(CASE WHEN p.n_links > 0 THEN 1 ELSE 0 END)",
    "with_media": "sum(CASE WHEN p.n_media > 0 THEN 1 ELSE 0 END)",
    "media": "sum(p.n_media)",
    "with_mentions": "sum(CASE WHEN p.n_mentions > 0 THEN 1 ELSE 0 END)",
    "impressions": "sum(coalesce(p.author_followers, 0))",
    "views": "sum(coalesce(p.views, 0))",
    "with_views": "sum(CASE WHEN p.views IS NOT NULL THEN 1 ELSE 0 END)",
}


def _kind_rollups(pg: bool) -> None:
    """rollup_kind_day for the posts the hour and day rollups already count (ids up to
    their watermark): the refresh adds the rest, as it does for them. Days as the
    refresh computes them (`rollups.hour_of` // 24)."""
    hour = (
        "CAST(floor(extract(epoch FROM p.created_at) / 3600) AS BIGINT)"
        if pg
        else "CAST(strftime('%s', substr(p.created_at, 1, 19)) AS INTEGER) / 3600"
    )
    day = f"({hour}) / 24"
    cols = ", ".join(_MEASURES)
    sums = ", ".join(_MEASURES.values())
    upto = "p.id <= coalesce((SELECT last_post_id FROM rollup_state WHERE name = 'rollups'), 0)"
    for tag, source, by in (
        ("''", "posts p", ""),
        ("h.tag", "posts p JOIN post_hashtags h ON h.post_id = p.id", "h.tag, "),
    ):
        op.execute(
            f"INSERT INTO rollup_kind_day (tag, day, platform, kind, {cols}) "
            f"SELECT {tag}, {day}, p.platform, p.kind, {sums} FROM {source} WHERE {upto} "
            f"GROUP BY {by}{day}, p.platform, p.kind"
        )


def upgrade() -> None:
    op.add_column("accounts", _label())
    # covering the census of accounts by label (counts, first / last seen, medians)
    op.create_index(
        "ix_accounts_stakeholder",
        "accounts",
        ["platform", "stakeholder", "followers", "first_seen", "last_seen"],
    )
    for t in _ROLLUPS:
        op.add_column(t, _label())
    op.create_table(
        "census_stakeholder",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("stakeholder", sa.String(80), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("authors", sa.BigInteger(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rollup_kind_day",
        sa.Column("tag", sa.String(280), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        *(sa.Column(m, sa.BigInteger(), nullable=False) for m in _MEASURES),
    )
    op.create_table(
        "census_dirty", sa.Column("txid", sa.BigInteger(), primary_key=True, autoincrement=False)
    )
    _fill()
    pg = op.get_bind().dialect.name == "postgresql"
    _kind_rollups(pg)
    for stmt in _pg_statements() if pg else _sqlite_triggers():
        op.execute(stmt)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name, table in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else ""))
    if pg:
        for fn in _FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.drop_table("census_dirty")
    op.drop_table("rollup_kind_day")
    op.drop_table("census_stakeholder")
    op.drop_index("ix_accounts_stakeholder", "accounts")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy: copying `accounts`
    # would drop the old table, and its foreign keys would take the labels with it
    for t in (*_ROLLUPS, "accounts"):
        op.execute(f"ALTER TABLE {t} DROP COLUMN stakeholder")
