"""MastodonFormat: statuses, search results, contexts, notifications, conversations and
streaming messages to `Post`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar

import orjson

from radsocial.models import Account, Media, Post
from radsocial.sources.base import Context, Format, NormalizeError, as_int, parse_iso
from radsocial.sources.mastodon.html import _convert, html_to_text

PLATFORM = "mastodon"

# Links to statuses are not "links" (Post.links holds no links to posts): Mastodon's
# /@user/123, /@user@host/123, /users/user/statuses/123 and /ap/users/1/statuses/123.
_STATUS_LINK = re.compile(r"^https?://[^/]+/(?:@[^/]+/\d+|(?:ap/)?users/[^/]+/statuses/\d+)/?$")
_STREAM_EVENTS = frozenset(
    (
        "update",
        "status.update",
        "delete",
        "notification",
        "conversation",
        "filters_changed",
        "announcement",
        "announcement.reaction",
        "announcement.delete",
        "encrypted_message",
        "notifications_merged",
    )
)
_STATUS_EVENTS = frozenset(("update", "status.update"))
_NOTIFICATION_TYPES = frozenset(
    (
        "mention",
        "status",
        "reblog",
        "follow",
        "follow_request",
        "favourite",
        "poll",
        "update",
        "quote",
        "quoted_update",
        "admin.sign_up",
        "admin.report",
        "severed_relationships",
        "moderation_warning",
        "annual_report",
    )
)


# --------------------------------------------------------------------------- helpers


def _host(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0]
    return host.lower() or None


def _base(url: Any, default_scheme: str = "") -> str | None:
    """'scheme://host' of a URL (or of a bare host, given a default scheme)."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if "://" in url:
        scheme, rest = url.split("://", 1)
        scheme = scheme.lower() + "://"
    elif default_scheme:
        scheme, rest = default_scheme, url
    else:
        return None
    host = rest.split("/", 1)[0].lower()
    return scheme + host if host else None


def _qualify(acct: str | None, url: str | None) -> str | None:
    """`acct` as `user@host`: local accounts (no '@') take the host of their URL."""
    if not acct:
        return None
    acct = acct.removeprefix("@")
    if "@" in acct:
        return acct
    host = _host(url)
    return f"{acct}@{host}" if host else acct


@lru_cache(maxsize=8192)
def _account_date(value: str | None) -> datetime | None:
    """Account creation dates (midnight, few distinct values): parsed once each."""
    try:
        return parse_iso(value)
    except NormalizeError:
        return None


def _is_status(obj: dict) -> bool:
    return (
        "content" in obj
        and "created_at" in obj
        and isinstance(obj.get("account"), dict)
        and ("uri" in obj or "url" in obj)
    )


class _State:
    """What one `normalize` call shares between the statuses of its payload."""

    __slots__ = ("base", "ctx", "host", "index", "out", "root", "seen")

    def __init__(
        self,
        ctx: Context,
        base: str | None,
        index: dict[str, tuple[str, str | None]],
        root: str | None,
    ) -> None:
        self.ctx = ctx
        # the instance that served the payload (where the local ids are valid)
        self.base = base  # "https://host"
        self.host = base.split("://", 1)[1] if base else None
        self.index = index  # local id -> (uri, author id), for every status in the payload
        self.root = root  # conversation root uri (context payloads)
        self.out: list[Post] = []
        self.seen: set[str] = set()


# --------------------------------------------------------------------------- format


class MastodonFormat(Format):
    name = "mastodon"
    platform = PLATFORM
    description = (
        "Import Mastodon statuses from timelines, search results, status contexts, "
        "notifications, conversations and streaming messages."
    )
    option_help: ClassVar[Mapping[str, str]] = {
        "instance": (
            "host of the Mastodon instance the payloads were fetched from (e.g. "
            "mastodon.social); lets replies to statuses absent from the payload keep a "
            "resolvable reply_to_id"
        )
    }

    # ----------------------------------------------------------------- sniff

    def sniff(self, obj: Any) -> bool:
        if not isinstance(obj, dict):
            return False
        if _is_status(obj):
            return True
        if "ancestors" in obj and "descendants" in obj:
            return isinstance(obj["ancestors"], list)
        if "statuses" in obj and "accounts" in obj:
            return ("hashtags" in obj or "notification_groups" in obj) and isinstance(
                obj["statuses"], list
            )
        if "last_status" in obj and "accounts" in obj and "unread" in obj:
            return True
        if obj.get("type") in _NOTIFICATION_TYPES and isinstance(obj.get("account"), dict):
            status = obj.get("status")
            return status is None or (isinstance(status, dict) and _is_status(status))
        event = obj.get("event")
        return isinstance(event, str) and event in _STREAM_EVENTS and "payload" in obj

    # ----------------------------------------------------------------- normalize

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        statuses, root = self._statuses(obj)
        if not statuses:
            return []
        base = _base(ctx.options.get("instance"), default_scheme="https://")
        if base is None and "://" in ctx.source:
            src = ctx.source.rsplit(" ", 1)[-1]  # a URL, or "GET <url>" from an envelope
            if src.startswith(("http://", "https://")):
                base = _base(src)
        index: dict[str, tuple[str, str | None]] = {}
        for s in statuses:
            for t in (s, s.get("reblog"), _quoted(s), _quoted(s.get("reblog"))):
                if not isinstance(t, dict):
                    continue
                acct = t.get("account")
                aid = None
                if isinstance(acct, dict):
                    aid = acct.get("url") or acct.get("uri")
                    if base is None and "@" not in (acct.get("acct") or "@"):
                        base = _base(aid)
                sid, uri = t.get("id"), t.get("uri") or t.get("url")
                if sid is not None and uri:
                    index[str(sid)] = (uri, aid)
        st = _State(ctx, base, index, root)
        for s in statuses:
            self._emit(s, st)
        return st.out

    def _statuses(self, obj: Any) -> tuple[list[dict], str | None]:
        """The top-level statuses of a record, and the conversation root uri if known."""
        if not isinstance(obj, dict):
            raise NormalizeError(f"expected a Mastodon JSON object, got {type(obj).__name__}")
        if "ancestors" in obj and "descendants" in obj:
            anc = [s for s in obj["ancestors"] or () if isinstance(s, dict)]
            desc = [s for s in obj["descendants"] or () if isinstance(s, dict)]
            root = None
            if anc and not anc[0].get("in_reply_to_id"):
                root = anc[0].get("uri")
            return anc + desc, root
        if "content" in obj or ("uri" in obj and "account" in obj):
            return [obj], None
        if "statuses" in obj and isinstance(obj["statuses"], list):
            return [s for s in obj["statuses"] if isinstance(s, dict)], None
        if "last_status" in obj:
            s = obj["last_status"]
            return ([s] if isinstance(s, dict) else []), None
        if "event" in obj and "payload" in obj:
            event = obj["event"]
            payload = obj["payload"]
            if event not in _STATUS_EVENTS and event != "notification":
                return [], None
            if isinstance(payload, str | bytes):
                try:
                    payload = orjson.loads(payload)
                except orjson.JSONDecodeError as exc:
                    raise NormalizeError(f"streaming {event!r} payload is not JSON") from exc
            if not isinstance(payload, dict):
                raise NormalizeError(f"streaming {event!r} payload is not a JSON object")
            if event == "notification":
                s = payload.get("status")
                return ([s] if isinstance(s, dict) else []), None
            return self._statuses(payload)
        if obj.get("type") in _NOTIFICATION_TYPES:  # a notification
            s = obj.get("status")
            return ([s] if isinstance(s, dict) else []), None
        raise NormalizeError(
            "not a Mastodon status, search result, context, notification or streaming event"
            f" (keys: {', '.join(sorted(obj)[:8])})"
        )

    def _emit(self, s: dict, st: _State) -> Post | None:
        """Append the post for status `s` (and the statuses it reblogs/quotes) to st.out."""
        uri = s.get("uri") or s.get("url")
        if uri in st.seen:
            return None
        reblog = s.get("reblog")
        if isinstance(reblog, dict):
            post = self._post(s, st, reblog=reblog)
            st.seen.add(post.platform_id)
            st.out.append(post)
            self._emit(reblog, st)
            return post
        post = self._post(s, st)
        st.seen.add(post.platform_id)
        st.out.append(post)
        quoted = _quoted(s)
        if quoted is not None:
            self._emit(quoted, st)
        return post

    def _post(self, s: dict, st: _State, reblog: dict | None = None) -> Post:
        ctx = st.ctx
        uri = s.get("uri") or s.get("url")
        if not uri:
            raise NormalizeError(f"Mastodon status {s.get('id')!r} has no uri or url")
        created = s.get("created_at")
        if not created:
            raise NormalizeError(f"Mastodon status {uri} has no created_at")
        created_at = parse_iso(created)
        acc = s.get("account")
        if not isinstance(acc, dict):
            raise NormalizeError(f"Mastodon status {uri} has no account")
        if "content" not in s and reblog is None:
            raise NormalizeError(
                f"Mastodon status {uri} has no content (a deleted-status response?)"
            )
        acc_url = acc.get("url") or acc.get("uri")
        acc_created = acc.get("created_at")
        handle = _qualify(acc.get("acct") or acc.get("username"), acc_url)
        author_id = acc_url or handle
        author = None
        if author_id:
            note = acc.get("note")
            author = Account(
                platform=PLATFORM,
                account_id=author_id,
                handle=handle,
                name=acc.get("display_name") or None,
                bio=html_to_text(note) or None if note else None,
                followers=as_int(acc.get("followers_count")),
                following=as_int(acc.get("following_count")),
                posts_count=as_int(acc.get("statuses_count")),
                verified=None,
                created_at=_account_date(acc_created) if isinstance(acc_created, str) else None,
                url=acc_url,
                observed_at=ctx.received_at,
            )
        extras: dict[str, Any] = {}
        sid = s.get("id")
        if sid is not None:
            extras["id"] = str(sid)
        if st.host:
            extras["instance"] = st.host
        if s.get("visibility"):
            extras["visibility"] = s["visibility"]

        if reblog is not None:  # a reblog: its own post, text "", counts belong to the original
            return Post(
                platform=PLATFORM,
                platform_id=uri,
                created_at=created_at,
                text="",
                author_id=author_id,
                author_handle=handle,
                url=s.get("url") or uri,
                kind="repost",
                repost_of_id=reblog.get("uri") or reblog.get("url"),
                conversation_id=uri,
                author=author,
                extras=extras,
            )

        text, hrefs, tag_texts = _convert(s.get("content") or "")
        spoiler = s.get("spoiler_text")
        if spoiler:
            extras["spoiler_text"] = spoiler
            text = f"{spoiler}\n\n{text}" if text else spoiler
        if s.get("sensitive"):
            extras["sensitive"] = True
        if s.get("edited_at"):
            extras["edited_at"] = s["edited_at"]

        # hashtags: as written in the content when it shows them, else tags[].name
        hashtags: tuple[str, ...] = ()
        tags = s.get("tags")
        tag_urls: set[str] = set()
        if tags:
            names = []
            for t in tags:
                if isinstance(t, dict) and t.get("name"):
                    names.append(t["name"])
                    if t.get("url"):
                        tag_urls.add(t["url"])
            if tag_texts:
                written = {w.lower(): w for w in tag_texts}
                names = [written.get(n.lower(), n) for n in names]
            hashtags = tuple(dict.fromkeys(names))

        # mentions, and the local account id -> author id map for reply authors
        mentions: tuple[str, ...] = ()
        mention_urls: set[str] = set()
        mention_ids: dict[str, str] = {}
        ms = s.get("mentions")
        if ms:
            out = []
            for m in ms:
                if not isinstance(m, dict):
                    continue
                q = _qualify(m.get("acct") or m.get("username"), m.get("url"))
                if q:
                    out.append(q)
                if m.get("url"):
                    mention_urls.add(m["url"])
                    if m.get("id") is not None:
                        mention_ids[str(m["id"])] = m["url"]
            mentions = tuple(dict.fromkeys(out))

        links: list[str] = []
        for h in hrefs:
            if h not in tag_urls and h not in mention_urls and not _STATUS_LINK.match(h):
                links.append(h)
        card = s.get("card")
        if isinstance(card, dict) and card.get("url"):
            cu = card["url"]
            if not _STATUS_LINK.match(cu):
                links.append(cu)

        media: tuple[Media, ...] = ()
        atts = s.get("media_attachments")
        if atts:
            media = tuple(
                Media(
                    type=a.get("type") or "unknown",
                    url=a.get("url") or a.get("remote_url"),
                    alt=a.get("description") or None,
                    key=str(a["id"]) if a.get("id") is not None else None,
                )
                for a in atts
                if isinstance(a, dict)
            )

        poll = s.get("poll")
        if isinstance(poll, dict):
            extras["poll"] = {
                "options": [
                    {"title": o.get("title"), "votes_count": o.get("votes_count")}
                    for o in poll.get("options") or ()
                    if isinstance(o, dict)
                ],
                "votes_count": poll.get("votes_count"),
                "voters_count": poll.get("voters_count"),
                "multiple": poll.get("multiple"),
                "expires_at": poll.get("expires_at"),
            }

        # reply
        kind = "original"
        reply_to_id = reply_to_author_id = None
        conversation_id: str | None = uri
        parent = s.get("in_reply_to_id")
        if parent is not None:
            kind = "reply"
            parent = str(parent)
            extras["in_reply_to_id"] = parent
            known = st.index.get(parent)
            if known is not None:
                reply_to_id, reply_to_author_id = known
            elif st.base:
                reply_to_id = f"{st.base}/api/v1/statuses/{parent}"
            pacc = s.get("in_reply_to_account_id")
            if pacc is not None:
                pacc = str(pacc)
                extras["in_reply_to_account_id"] = pacc
                if pacc == str(acc.get("id")):
                    reply_to_author_id = author_id
                elif reply_to_author_id is None:
                    reply_to_author_id = mention_ids.get(pacc)
            conversation_id = st.root
            if reply_to_id is None:
                ctx.warnings.append(
                    f"reply {uri}: parent {parent} is a local id of an unknown instance;"
                    " pass the option instance=HOST to keep reply_to_id"
                )

        # quote (Mastodon 4.5): Quote {state, quoted_status} or ShallowQuote {quoted_status_id}
        quote_of_id = None
        q = s.get("quote")
        if isinstance(q, dict):
            if q.get("state"):
                extras["quote_state"] = q["state"]
            qs = q.get("quoted_status")
            if isinstance(qs, dict):
                quote_of_id = qs.get("uri") or qs.get("url")
            elif q.get("quoted_status_id") is not None:
                qid = str(q["quoted_status_id"])
                known = st.index.get(qid)
                if known is not None:
                    quote_of_id = known[0]
                elif st.base:
                    quote_of_id = f"{st.base}/api/v1/statuses/{qid}"
            if quote_of_id and kind == "original":
                kind = "quote"

        return Post(
            platform=PLATFORM,
            platform_id=uri,
            created_at=created_at,
            text=text,
            author_id=author_id,
            author_handle=handle,
            url=s.get("url") or uri,
            lang=s.get("language") or None,
            kind=kind,
            hashtags=hashtags,
            mentions=mentions,
            links=tuple(dict.fromkeys(links)),
            media=media,
            reply_to_id=reply_to_id,
            reply_to_author_id=reply_to_author_id,
            quote_of_id=quote_of_id,
            conversation_id=conversation_id,
            likes=as_int(s.get("favourites_count")),
            reposts=as_int(s.get("reblogs_count")),
            replies=as_int(s.get("replies_count")),
            quotes=as_int(s.get("quotes_count")),
            author=author,
            extras=extras,
        )


def _quoted(s: Any) -> dict | None:
    if not isinstance(s, dict):
        return None
    q = s.get("quote")
    if isinstance(q, dict):
        qs = q.get("quoted_status")
        if isinstance(qs, dict):
            return qs
    return None
