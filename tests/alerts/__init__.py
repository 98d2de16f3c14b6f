"""Real loopback servers and post builders shared by the alert and digest tests.

`SmtpServer` speaks enough SMTP for smtplib (EHLO, AUTH PLAIN/LOGIN, STARTTLS, implicit
TLS, MAIL/RCPT/DATA) and keeps what it received; `WebhookServer` is an http.server that
records each POST and answers from a script (e.g. 429 then 200). Both listen on
127.0.0.1 on a free port, in a thread, and close every socket they open (the suite turns
ResourceWarnings into errors).
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import socketserver
import ssl
import subprocess
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from radsocial.models import Account, Post, RawRecord
from radsocial.store import Store
from radsocial.store.schema import account_labels, accounts, metadata, post_labels, posts

# ---------------------------------------------------------------------------- posts


def make_post(
    pid: str,
    text: str,
    at: datetime,
    *,
    handle: str = "alice",
    hashtags: Sequence[str] = (),
    mentions: Sequence[str] = (),
    kind: str = "original",
    repost_of: str | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    url: str | None = None,
    followers: int = 100,
) -> Post:
    """A hand-made X post with its author."""
    return Post(
        platform="x",
        platform_id=pid,
        created_at=at,
        text=text,
        author_id=f"id-{handle}",
        author_handle=handle,
        url=url if url is not None else f"https://x.com/{handle}/status/{pid}",
        kind=kind,
        hashtags=tuple(hashtags),
        mentions=tuple(mentions),
        repost_of_id=repost_of,
        likes=likes,
        reposts=reposts,
        author=Account(platform="x", account_id=f"id-{handle}", handle=handle, followers=followers),
    )


def write(store: Store, batch: Sequence[Post]) -> None:
    """Store posts as one import batch (one raw record)."""
    raw = RawRecord(format="x-v2", payload=uuid.uuid4().bytes, source="test.jsonl", line=1)
    store.write_batch([(raw, list(batch))])


def post_ids(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {pid: i for i, pid in conn.execute(sa.select(posts.c.id, posts.c.platform_id))}


def label_posts(store: Store, task: str, values: dict[str, str]) -> None:
    """Give posts (by platform id) a machine label, as `radsocial classify` would."""
    ids = post_ids(store)
    now = datetime.now(UTC)
    rows = [
        {
            "post_id": ids[pid],
            "task": task,
            "value": value,
            "method": "rule",
            "coder": "",
            "score": 1.0,
            "reasons": [],
            "version": "test",
            "classifier": "test",
            "created_at": now,
        }
        for pid, value in values.items()
    ]
    with store.writer() as conn, conn.begin():
        conn.execute(post_labels.insert(), rows)


def label_account(store: Store, account_id: str, value: str, task: str = "stakeholder") -> None:
    with store.writer() as conn, conn.begin():
        pk = conn.execute(
            sa.select(accounts.c.id).where(accounts.c.account_id == account_id)
        ).scalar_one()
        conn.execute(
            account_labels.insert().values(
                account_pk=pk,
                task=task,
                value=value,
                method="rule",
                coder="",
                score=1.0,
                reasons=[],
                version="test",
                classifier="test",
                created_at=datetime.now(UTC),
            )
        )


def dump_database(store: Store) -> str:
    """Every row of every table as text: for asserting that a secret is nowhere."""
    out = []
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                out.append(repr(tuple(row)))
    return "\n".join(out)


# ---------------------------------------------------------------------------- TLS


def make_certificate(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for 127.0.0.1 and localhost (None without openssl)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    cmd = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return cert, key


# ---------------------------------------------------------------------------- SMTP


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    user: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]

    def parts(self) -> dict[str, str]:
        """{content type: decoded text} of the message's leaf parts."""
        return {
            p.get_content_type(): p.get_content()
            for p in self.message.walk()
            if not p.is_multipart()
        }


@dataclass
class _SmtpState:
    user: str = "alerts@example.org"
    password: str = "s3cret-smtp-pass"
    tls_context: ssl.SSLContext | None = None
    implicit_tls: bool = False
    offer_starttls: bool = False
    messages: list[Received] = field(default_factory=list)
    transcript: list[bytes] = field(default_factory=list)


class _Loop:
    """One SMTP session's command loop; `run` returns "starttls" when the client asks
    to switch to TLS (the caller wraps the socket and starts a new loop, RFC 3207)."""

    def __init__(self, f: Any, st: _SmtpState, *, tls: bool) -> None:
        self.f, self.st, self.tls = f, st, tls

    def reply(self, line: str) -> None:
        self.f.write(line.encode() + b"\r\n")
        self.f.flush()

    def read(self) -> bytes:
        line = self.f.readline()
        self.st.transcript.append(line)
        return line.rstrip(b"\r\n")

    def run(self, *, greet: bool) -> str:
        if greet:
            self.reply("220 localhost radsocial test SMTP")
        user: str | None = None
        sender, rcpts = "", []
        while True:
            line = self.read()
            if not line:
                return "closed"
            cmd = line.split(b" ", 1)[0].upper().decode()
            arg = line[len(cmd) + 1 :].decode()
            if cmd in ("EHLO", "HELO"):
                caps = ["250-localhost", "250-8BITMIME", "250-SMTPUTF8"]
                if self.st.offer_starttls and not self.tls:
                    caps.append("250-STARTTLS")
                for c in [*caps, "250 AUTH PLAIN LOGIN"]:
                    self.reply(c)
            elif cmd == "STARTTLS" and self.st.offer_starttls and not self.tls:
                self.reply("220 go ahead")
                return "starttls"
            elif cmd == "AUTH":
                user = self._auth(arg)
            elif cmd == "MAIL":
                sender, rcpts = arg.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 ok")
            elif cmd == "RCPT":
                rcpts.append(arg.split(":", 1)[1].split()[0].strip("<>"))
                self.reply("250 ok")
            elif cmd == "DATA":
                self.reply("354 end with .")
                lines = []
                while True:
                    raw = self.f.readline()
                    if raw in (b".\r\n", b".\n", b""):
                        break
                    lines.append(raw[1:] if raw.startswith(b"..") else raw)
                self.st.messages.append(Received(sender, rcpts, b"".join(lines), user, self.tls))
                self.reply("250 queued")
            elif cmd in ("RSET", "NOOP"):
                self.reply("250 ok")
            elif cmd == "QUIT":
                self.reply("221 bye")
                return "quit"
            else:
                self.reply("502 not implemented")

    def _auth(self, arg: str) -> str | None:
        parts = arg.split()
        mech = parts[0].upper() if parts else ""
        if mech == "PLAIN":
            blob = parts[1] if len(parts) > 1 else None
            if blob is None:
                self.reply("334 ")
                blob = self.read().decode()
            _, user, password = base64.b64decode(blob).decode().split("\0")
        elif mech == "LOGIN":
            if len(parts) > 1:
                user = base64.b64decode(parts[1]).decode()
            else:
                self.reply("334 VXNlcm5hbWU6")
                user = base64.b64decode(self.read()).decode()
            self.reply("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self.read()).decode()
        else:
            self.reply("504 unknown mechanism")
            return None
        if user == self.st.user and password == self.st.password:
            self.reply("235 authenticated")
            return user
        self.reply("535 authentication failed")
        return None


class _SmtpHandler(socketserver.BaseRequestHandler):
    server: _SmtpTCPServer

    def handle(self) -> None:
        st = self.server.state
        sock: socket.socket = self.request
        sock.settimeout(10)
        tls = st.implicit_tls
        opened: list[Any] = []
        try:
            if tls:
                assert st.tls_context is not None
                sock = st.tls_context.wrap_socket(sock, server_side=True)
                opened.append(sock)
            f = sock.makefile("rwb")
            opened.append(f)
            outcome = _Loop(f, st, tls=tls).run(greet=True)
            if outcome == "starttls":
                assert st.tls_context is not None
                f.close()
                sock = st.tls_context.wrap_socket(sock, server_side=True)
                opened.append(sock)
                f = sock.makefile("rwb")
                opened.append(f)
                _Loop(f, st, tls=True).run(greet=False)
        except (OSError, ssl.SSLError):
            pass  # a client that hangs up mid-session (e.g. a failed TLS handshake)
        finally:
            for obj in reversed(opened):
                obj.close()


class _SmtpTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: _SmtpState) -> None:
        self.state = state
        super().__init__(("127.0.0.1", 0), _SmtpHandler)


class SmtpServer:
    """A loopback SMTP server in a thread: `with SmtpServer() as s: … s.messages`."""

    def __init__(
        self,
        *,
        user: str = "alerts@example.org",
        password: str = "s3cret-smtp-pass",
        cert: tuple[Path, Path] | None = None,
        implicit_tls: bool = False,
        starttls: bool = False,
    ) -> None:
        ctx = None
        if cert is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(cert[0]), str(cert[1]))
        self.state = _SmtpState(
            user=user,
            password=password,
            tls_context=ctx,
            implicit_tls=implicit_tls,
            offer_starttls=starttls,
        )
        self._server = _SmtpTCPServer(self.state)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def messages(self) -> list[Received]:
        return self.state.messages

    @property
    def transcript(self) -> bytes:
        return b"".join(self.state.transcript)

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# ---------------------------------------------------------------------------- webhook


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _HookHandler(BaseHTTPRequestHandler):
    server: _HookHTTPServer

    def do_POST(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size)
        srv = self.server
        with srv.lock:
            srv.hits.append(Hit(self.path, dict(self.headers.items()), body))
            status, headers = srv.script.pop(0) if srv.script else (200, {})
        data = b"ok" if status < 300 else b"error from the test hook"
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _HookHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _HookHandler)


class WebhookServer:
    """A loopback HTTP receiver: `answer(429, 200)` scripts the next responses."""

    def __init__(self) -> None:
        self._server = _HookHTTPServer()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def url(self, path: str = "/services/T0001/B0002/tok3nSecretValue") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *statuses: int | tuple[int, dict[str, str]]) -> None:
        with self._server.lock:
            self._server.script = [s if isinstance(s, tuple) else (s, {}) for s in statuses]

    @property
    def hits(self) -> list[Hit]:
        return self._server.hits

    def __enter__(self) -> WebhookServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
