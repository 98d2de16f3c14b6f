"""Effective stakeholder labels kept by the database (account_stakeholder), and each
author rollup row labelled with its author's (rollup_author.stakeholder,
rollup_author_year.stakeholder), so that the stakeholder census groups a few thousand
labelled rows inside the database instead of attaching 67,000 labels in Python.

Labels change without posts changing — `radsocial classify`, re-classification after a
version change, hand coding, `radsocial label import`, a test writing rows directly —
so the derived columns are kept by triggers on `account_labels`, whatever writes them:
- account_labels -> account_stakeholder: the account's effective label (a manual label
  wins; among several, the alphabetically first), removed when it has none;
- account_stakeholder -> the author rollups: every row of the author the account is
  (its author id, or '@handle' for handle-only sources, as the census matches them).
New rollup rows take their label when `rollups.refresh` inserts them.

SQLite runs the triggers per row; PostgreSQL per statement, over transition tables, so
a classify batch of 20,000 labels is a handful of set-wise statements.

The upgrade fills both from the labels already stored.

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

# The account an author rollup row belongs to, as the census has always matched them:
# its author id, else '@' + its handle (the id handle-only sources give an account).
_WHO = "CASE WHEN {t}.author_id <> '' THEN {t}.author_id WHEN {t}.handle <> '' THEN '@' || {t}.handle END"


def _sqlite_sync(pk: str) -> str:
    """SQLite statements that recompute account `pk`'s effective label."""
    lab = "SELECT min(value) FROM account_labels WHERE account_pk = PK AND task = 'stakeholder'"
    manual = lab + " AND method = 'manual'"
    sql = (
        "INSERT INTO account_stakeholder (account_pk, platform, account_id, value) "
        f"SELECT a.id, a.platform, a.account_id, e.v FROM accounts a, "
        f"(SELECT coalesce(({manual}), ({lab})) AS v) e "
        "WHERE a.id = PK AND e.v IS NOT NULL "
        "ON CONFLICT (account_pk) DO UPDATE SET value = excluded.value "
        "WHERE account_stakeholder.value <> excluded.value; "
        "DELETE FROM account_stakeholder WHERE account_pk = PK AND NOT EXISTS "
        "(SELECT 1 FROM account_labels WHERE account_pk = PK AND task = 'stakeholder'); "
    )
    return sql.replace("PK", pk)


def _sqlite_label_rows(row: str, value: str) -> str:
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
    return "".join(out)


def _sqlite_triggers() -> list[str]:
    return [
        "CREATE TRIGGER account_labels_stakeholder_ai AFTER INSERT ON account_labels "
        f"WHEN NEW.task = 'stakeholder' BEGIN {_sqlite_sync('NEW.account_pk')}END",
        "CREATE TRIGGER account_labels_stakeholder_ad AFTER DELETE ON account_labels "
        f"WHEN OLD.task = 'stakeholder' BEGIN {_sqlite_sync('OLD.account_pk')}END",
        "CREATE TRIGGER account_labels_stakeholder_au AFTER UPDATE ON account_labels "
        "WHEN OLD.task = 'stakeholder' OR NEW.task = 'stakeholder' "
        f"BEGIN {_sqlite_sync('OLD.account_pk')}{_sqlite_sync('NEW.account_pk')}END",
        "CREATE TRIGGER account_stakeholder_ai AFTER INSERT ON account_stakeholder "
        f"BEGIN {_sqlite_label_rows('NEW', 'NEW.value')}END",
        "CREATE TRIGGER account_stakeholder_au AFTER UPDATE ON account_stakeholder "
        f"BEGIN {_sqlite_label_rows('NEW', 'NEW.value')}END",
        "CREATE TRIGGER account_stakeholder_ad AFTER DELETE ON account_stakeholder "
        f"BEGIN {_sqlite_label_rows('OLD', 'NULL')}END",
    ]


_PG_SYNC = """
CREATE FUNCTION radsocial_sync_stakeholders(pks bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM account_stakeholder s WHERE s.account_pk = ANY(pks) AND NOT EXISTS (
        SELECT 1 FROM account_labels l
        WHERE l.account_pk = s.account_pk AND l.task = 'stakeholder');
    INSERT INTO account_stakeholder (account_pk, platform, account_id, value)
    SELECT a.id, a.platform, a.account_id, e.v
    FROM (SELECT account_pk,
                 coalesce(min(value) FILTER (WHERE method = 'manual'), min(value)) AS v
          FROM account_labels WHERE account_pk = ANY(pks) AND task = 'stakeholder'
          GROUP BY account_pk) e
    JOIN accounts a ON a.id = e.account_pk
    ON CONFLICT (account_pk) DO UPDATE SET value = EXCLUDED.value
    WHERE account_stakeholder.value IS DISTINCT FROM EXCLUDED.value;
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


def _pg_rows_changed() -> str:
    sets = []
    for t in _ROLLUPS:
        for match in (
            "r.author_id = c.account_id",
            "r.author_id = '' AND r.handle <> '' AND left(c.account_id, 1) = '@' "
            "AND r.handle = substr(c.account_id, 2)",
        ):
            sets.append(
                f"UPDATE {t} r SET stakeholder = CASE WHEN TG_OP = 'DELETE' THEN NULL "
                f"ELSE c.value END FROM changed c WHERE r.platform = c.platform AND {match};"
            )
    body = "\n    ".join(sets)
    return f"""
CREATE FUNCTION radsocial_account_stakeholder_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {body}
    RETURN NULL;
END $$
"""


def _pg_statements() -> list[str]:
    ai, ad = "AFTER INSERT", "AFTER DELETE"
    return [
        _PG_SYNC,
        _PG_LABELS_CHANGED,
        _PG_LABEL_UPDATED,
        _pg_rows_changed(),
        f"CREATE TRIGGER account_labels_stakeholder_ai {ai} ON account_labels "
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_labels_changed()",
        f"CREATE TRIGGER account_labels_stakeholder_ad {ad} ON account_labels "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_labels_changed()",
        "CREATE TRIGGER account_labels_stakeholder_au AFTER UPDATE ON account_labels "
        "FOR EACH ROW EXECUTE FUNCTION radsocial_account_label_updated()",
        # An update moves the value: the new rows' value replaces the old everywhere
        # (account_pk, platform and account_id of a row never change).
        "CREATE TRIGGER account_stakeholder_ai AFTER INSERT ON account_stakeholder "
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_stakeholder_changed()",
        "CREATE TRIGGER account_stakeholder_au AFTER UPDATE ON account_stakeholder "
        "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_stakeholder_changed()",
        "CREATE TRIGGER account_stakeholder_ad AFTER DELETE ON account_stakeholder "
        "REFERENCING OLD TABLE AS changed FOR EACH STATEMENT "
        "EXECUTE FUNCTION radsocial_account_stakeholder_changed()",
    ]


def _fill() -> None:
    """Effective labels from the stored ones, then the author rollups' labels."""
    op.execute(
        "INSERT INTO account_stakeholder (account_pk, platform, account_id, value) "
        "SELECT a.id, a.platform, a.account_id, e.v FROM accounts a JOIN ("
        "SELECT account_pk, coalesce(min(CASE WHEN method = 'manual' THEN value END), "
        "min(value)) AS v FROM account_labels WHERE task = 'stakeholder' "
        "GROUP BY account_pk) e ON e.account_pk = a.id"
    )
    for t in _ROLLUPS:
        op.execute(
            f"UPDATE {t} SET stakeholder = (SELECT s.value FROM account_stakeholder s "
            f"WHERE s.platform = {t}.platform AND s.account_id = {_WHO.format(t=t)})"
        )


def upgrade() -> None:
    op.create_table(
        "account_stakeholder",
        sa.Column(
            "account_pk",
            sa.BigInteger(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("value", sa.String(80), nullable=False),
    )
    op.create_index(
        "ix_account_stakeholder_account", "account_stakeholder", ["platform", "account_id"]
    )
    for t in _ROLLUPS:
        op.add_column(t, sa.Column("stakeholder", sa.String(80)))
    _fill()
    pg = op.get_bind().dialect.name == "postgresql"
    for stmt in _pg_statements() if pg else _sqlite_triggers():
        op.execute(stmt)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name, table in (
        ("account_labels_stakeholder_ai", "account_labels"),
        ("account_labels_stakeholder_ad", "account_labels"),
        ("account_labels_stakeholder_au", "account_labels"),
        ("account_stakeholder_ai", "account_stakeholder"),
        ("account_stakeholder_au", "account_stakeholder"),
        ("account_stakeholder_ad", "account_stakeholder"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else ""))
    if pg:
        for fn in (
            "radsocial_account_stakeholder_changed()",
            "radsocial_account_label_updated()",
            "radsocial_account_labels_changed()",
            "radsocial_sync_stakeholders(bigint[])",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    for t in _ROLLUPS:
        with op.batch_alter_table(t) as batch:
            batch.drop_column("stakeholder")
    op.drop_index("ix_account_stakeholder_account", "account_stakeholder")
    op.drop_table("account_stakeholder")
