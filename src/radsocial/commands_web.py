"""`radsocial serve` and `radsocial users …`: the web app and its accounts.

    radsocial serve                       # http://127.0.0.1:8000, no login (loopback)
    radsocial serve --host 0.0.0.0        # refused until an admin exists:
    radsocial users add anna --admin      # prompts for the password (argon2id hash)
    radsocial users token anna            # prints a new API token, once

`COMMANDS` lists the click objects for the main group (cli.py adds them).
"""

from __future__ import annotations

import os
import sys

import click

from radsocial.cli import db_option, err, open_store, register

__all__ = ["COMMANDS", "serve", "users"]


def _web_missing(exc: ImportError) -> click.ClickException:
    return click.ClickException(
        f"the web app needs the web extra: pip install 'radsocial[web]' ({exc.name or exc})"
    )


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. "
    "Loopback needs no login; any other address needs an admin user first.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on (pick another if 8000 is taken).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (each opens the store).",
)
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Send the session cookie over HTTPS only (behind a TLS proxy).",
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request (paths and status; never bodies or tokens).",
)
@db_option
def serve(
    host: str, port: int, workers: int, secure_cookies: bool, access_log: bool, db: str | None
) -> None:
    """Start the web app over the store and print its address.

    Pages: overview, explorer, hashtags, conferences, tweetchats, influencers and network,
    accounts, collections, labelling, settings; the JSON API is documented at /api.
    """
    try:
        import uvicorn

        from radsocial.web.app import StartupRefused, create_app
        from radsocial.web.security import has_admin, is_loopback
    except ImportError as exc:
        raise _web_missing(exc) from exc
    store = open_store(db)
    if not is_loopback(host) and not has_admin(store.engine):
        store.close()
        hint = f" --db {db}" if db else ""
        raise click.ClickException(
            f"refusing to listen on {host}: off loopback every visitor must sign in, and no "
            f"admin user exists yet. Create one first:\n  radsocial users add NAME --admin{hint}\n"
            "or serve on 127.0.0.1 (the default)."
        )
    shown = f"[{host}]" if ":" in host else host
    url = f"http{'s' if secure_cookies else ''}://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    err.print(f"radsocial serving {store.location} at [bold]{url}[/]  (Ctrl+C to stop)")
    click.echo(url)
    sys.stdout.flush()
    if workers > 1:
        store.close()
        os.environ["RADSOCIAL_WEB_HOST"] = host
        if db:
            os.environ["RADSOCIAL_DB"] = db
        if secure_cookies:
            os.environ["RADSOCIAL_SECURE_COOKIES"] = "1"
        uvicorn.run(
            "radsocial.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            log_level="warning",
        )
        return
    try:
        app = create_app(store, host=host, secure_cookies=secure_cookies)
    except StartupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="warning")


@click.group()
def users() -> None:
    """Users of the web app (needed to serve beyond 127.0.0.1) and their API tokens."""


def _security() -> object:
    try:
        from radsocial.web import security
    except ImportError as exc:
        raise _web_missing(exc) from exc
    return security


@users.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May manage users, tokens and settings.")
@click.password_option(
    "--password",
    prompt="Password",
    envvar="RADSOCIAL_NEW_PASSWORD",
    help="Prompted for (twice) unless RADSOCIAL_NEW_PASSWORD is set; at least 10 characters.",
)
@db_option
def users_add(name: str, admin: bool, password: str, db: str | None) -> None:
    """Create a user; the password is stored as an argon2id hash."""
    sec = _security()
    with open_store(db) as store:
        try:
            sec.add_user(store.engine, name, password, admin=admin)  # type: ignore[attr-defined]
        except sec.SecurityError as exc:  # type: ignore[attr-defined]
            raise click.ClickException(str(exc)) from exc
    err.print(f"Created {'admin ' if admin else ''}user {name}.")


@users.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="A name for the token.")
@db_option
def users_token(name: str, label: str, db: str | None) -> None:
    """Create an API token for NAME and print it once (only its SHA-256 is stored)."""
    sec = _security()
    with open_store(db) as store:
        try:
            token = sec.create_token(store.engine, name, label)  # type: ignore[attr-defined]
        except sec.SecurityError as exc:  # type: ignore[attr-defined]
            raise click.ClickException(str(exc)) from exc
    err.print("New token (shown once; send it as 'Authorization: Bearer TOKEN'):")
    click.echo(token)


@users.command("list")
@db_option
def users_list(db: str | None) -> None:
    """List users and the names of their tokens (never a hash)."""
    sec = _security()
    with open_store(db) as store:
        rows = sec.list_users(store.engine)  # type: ignore[attr-defined]
    if not rows:
        err.print("No users. Create one with: radsocial users add NAME --admin")
    for u in rows:
        tokens = ", ".join(t["name"] for t in u["tokens"]) or "no tokens"
        click.echo(f"{u['username']}{' (admin)' if u['is_admin'] else ''}: {tokens}")


@users.command("remove")
@click.argument("name")
@db_option
def users_remove(name: str, db: str | None) -> None:
    """Delete a user and their tokens (the last admin cannot be deleted)."""
    sec = _security()
    with open_store(db) as store:
        try:
            sec.delete_user(store.engine, name)  # type: ignore[attr-defined]
        except sec.SecurityError as exc:  # type: ignore[attr-defined]
            raise click.ClickException(str(exc)) from exc
    err.print(f"Deleted user {name}.")


COMMANDS = [serve, users]
register(*COMMANDS)
