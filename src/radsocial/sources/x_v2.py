"""X (Twitter) API v2: response pages, flattened tweets and filtered-stream lines.

Accepted records (each a decoded JSON value):
- a response page `{"data": [...], "includes": {...}, "meta": {...}, "errors": [...]}` as
  written by twarc2 (with its `__twarc` provenance) or any v2 client;
- a filtered-stream line `{"data": {...}, "includes": {...}, "matching_rules": [...]}`;
- a flattened tweet (twarc2 flatten / `twarc-csv` input: `author`, expanded
  `referenced_tweets` inside the tweet);
- pages that hold no tweets (user lookups, tweet counts, compliance events, errors only)
  are recognised and yield nothing, with a note saying so.

Tweets in `includes.tweets` (originals of retweets, quoted and replied-to tweets) are
emitted as posts too. A retweet's text is "RT @author: " plus the original's full
text (the payload truncates it), and it carries the original's hashtags, mentions and
links, as twitwi and twarc-csv do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    snowflake_time,
    unescape_entities,
    x_post_url,
)

_fromiso = datetime.fromisoformat
_KIND = {"retweeted": "repost", "quoted": "quote", "replied_to": "reply"}


def _user(u: dict[str, Any], observed: datetime | None) -> Account:
    pm = u.get("public_metrics") or {}
    created = u.get("created_at")
    url = u.get("url") or None
    if url:
        # The profile URL is a t.co link; entities.url.urls holds the expanded one.
        for e in ((u.get("entities") or {}).get("url") or {}).get("urls") or ():
            url = e.get("expanded_url") or url
    return Account(
        platform="x",
        account_id=u["id"],
        handle=u.get("username"),
        name=u.get("name"),
        bio=u.get("description"),
        followers=pm.get("followers_count"),
        following=pm.get("following_count"),
        posts_count=pm.get("tweet_count"),
        verified=u.get("verified"),
        created_at=_fromiso(created) if created else None,
        location=u.get("location"),
        url=url,
        observed_at=observed,
    )


class _Page:
    """The expansions of one page, indexed once so each tweet's lookups are O(1)."""

    __slots__ = ("accounts", "media", "observed", "tweets", "users")

    def __init__(self, includes: dict[str, Any] | None, observed: datetime | None) -> None:
        inc = includes or {}
        self.observed = observed
        self.users = {u["id"]: u for u in inc.get("users") or () if "id" in u}
        self.tweets = {t["id"]: t for t in inc.get("tweets") or () if "id" in t}
        self.media = {m["media_key"]: m for m in inc.get("media") or () if "media_key" in m}
        self.accounts: dict[str, Account] = {}

    def account(self, uid: str | None, embedded: dict[str, Any] | None = None) -> Account | None:
        if uid is None:
            return None
        acc = self.accounts.get(uid)
        if acc is None:
            u = embedded or self.users.get(uid)
            if u is None or "id" not in u:
                return None
            acc = self.accounts[uid] = _user(u, self.observed)
        return acc


def _entities(
    ent: dict[str, Any] | None, resolved: dict[str, str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Hashtags, mentions and links of a tweet's entities.

    URL entities carrying a media_key are the attached photo or video itself (it is in
    `media`). A link is the unwound URL (where a shortener finally led) when X resolved
    it, else the expanded one; `resolved` maps t.co URLs to unwound URLs known from
    elsewhere (a retweet often carries the resolution its original lacks).
    """
    if not ent:
        return (), (), ()
    tags = tuple(h["tag"] for h in ent.get("hashtags") or () if "tag" in h)
    ments = tuple(m["username"] for m in ent.get("mentions") or () if "username" in m)
    links: dict[str, None] = {}
    for u in ent.get("urls") or ():
        if "media_key" in u:
            continue
        short = u.get("url")
        best = u.get("unwound_url") or (resolved or {}).get(short or "") or u.get("expanded_url")
        best = best or short
        if best:
            links[best] = None
    return tags, ments, tuple(links)


def _unwound(ent: dict[str, Any] | None) -> dict[str, str]:
    return {
        u["url"]: u["unwound_url"]
        for u in (ent or {}).get("urls") or ()
        if "url" in u and u.get("unwound_url")
    }


def _media(t: dict[str, Any], page: _Page) -> tuple[Media, ...]:
    att = t.get("attachments")
    if not att:
        return ()
    out = []
    for key in att.get("media_keys") or ():
        m = page.media.get(key)
        if m is None:
            out.append(Media(type="unknown", key=key))
        else:
            out.append(
                Media(
                    type=m.get("type", "unknown"),
                    url=m.get("url") or m.get("preview_image_url"),
                    alt=m.get("alt_text"),
                    key=key,
                )
            )
    return tuple(out)


def _tweet(t: dict[str, Any], page: _Page, out: list[Post]) -> Post:
    tid = t["id"]
    created = t.get("created_at")
    when = _fromiso(created) if created else snowflake_time(tid)
    if when is None:
        raise NormalizeError(f"tweet {tid} has no created_at (request tweet.fields=created_at)")
    text = t.get("text")
    if text is None:
        raise NormalizeError(f"tweet {tid} has no text")
    if "&" in text:
        text = unescape_entities(text)
    kind = "original"
    reply_to = quote_of = repost_of = None
    orig: dict[str, Any] | None = None
    for ref in t.get("referenced_tweets") or ():
        rtype = ref.get("type")
        rid = ref.get("id")
        if rtype == "retweeted":
            kind, repost_of = "repost", rid
            orig = ref if "text" in ref else page.tweets.get(rid)
        elif rtype == "quoted":
            quote_of = rid
            if kind == "original":
                kind = "quote"
            if "text" in ref:  # flattened: the quoted tweet is inside
                out.append(_tweet(ref, page, out))
        elif rtype == "replied_to":
            reply_to = rid
            kind = "reply"
            if "text" in ref:
                out.append(_tweet(ref, page, out))
    author_id = t.get("author_id")
    author = page.account(author_id, t.get("author"))
    tags, ments, links = _entities(t.get("entities"))
    if orig is not None:
        # A retweet's own text and entities are truncated at 140 characters: use the
        # original's, prefixed as the client shows it.
        oauthor = page.account(orig.get("author_id"), orig.get("author"))
        if oauthor is not None and oauthor.handle:
            text = f"RT @{oauthor.handle}: {unescape_entities(orig.get('text', ''))}"
            otags, oments, olinks = _entities(orig.get("entities"), _unwound(t.get("entities")))
            tags, links = otags, olinks
            ments = (oauthor.handle, *(m for m in oments if m != oauthor.handle))
        if "text" in orig and orig is not page.tweets.get(repost_of):
            out.append(_tweet(orig, page, out))
    pm = t.get("public_metrics") or {}
    np = t.get("non_public_metrics") or t.get("organic_metrics") or {}
    extras: dict[str, Any] = {}
    if "source" in t:
        extras["source"] = t["source"]
    if "geo" in t:
        extras["geo"] = t["geo"]
    if t.get("possibly_sensitive"):
        extras["possibly_sensitive"] = True
    if "edit_history_tweet_ids" in t and len(t["edit_history_tweet_ids"]) > 1:
        extras["edit_history_tweet_ids"] = t["edit_history_tweet_ids"]
    if "matching_rules" in t:
        extras["matching_rules"] = t["matching_rules"]
    if "withheld" in t:
        extras["withheld"] = t["withheld"]
    handle = author.handle if author is not None else None
    return Post(
        platform="x",
        platform_id=tid,
        created_at=when,
        text=text,
        author_id=author_id,
        author_handle=handle,
        url=x_post_url(handle, tid),
        lang=t.get("lang"),
        kind=kind,
        hashtags=tags,
        mentions=ments,
        links=links,
        media=_media(t, page),
        reply_to_id=reply_to,
        reply_to_author_id=t.get("in_reply_to_user_id"),
        quote_of_id=quote_of,
        repost_of_id=repost_of,
        conversation_id=t.get("conversation_id"),
        likes=pm.get("like_count"),
        reposts=pm.get("retweet_count"),
        replies=pm.get("reply_count"),
        quotes=pm.get("quote_count"),
        views=pm.get("impression_count", np.get("impression_count")),
        author=author,
        extras=extras,
    )


def _is_tweet(d: Any) -> bool:
    return isinstance(d, dict) and "id" in d and ("text" in d or "edit_history_tweet_ids" in d)


class XV2Format(Format):
    name = "x-v2"
    platform = "x"
    description = "Read X API v2 response pages, filtered-stream lines and flattened tweets."

    def sniff(self, obj: Any) -> bool:
        if not isinstance(obj, dict) or "id_str" in obj:
            return False
        if "data" in obj:
            data = obj["data"]
            if isinstance(data, list):
                return not data or (
                    isinstance(data[0], dict)
                    and (_is_tweet(data[0]) or "username" in data[0] or "tweet_count" in data[0])
                )
            return _is_tweet(data) or (isinstance(data, dict) and "username" in data)
        if "errors" in obj and "title" in str(obj.get("errors"))[:2000]:
            return True  # an errors-only v2 response
        if _is_tweet(obj) and "uri" not in obj and "content" not in obj:
            return "author_id" in obj or "edit_history_tweet_ids" in obj or "author" in obj
        return False

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        received = ctx.received_at
        out: list[Post] = []
        if "data" not in obj:
            if _is_tweet(obj):  # flattened tweet (twarc2 flatten)
                page = _Page(None, received)
                out.append(_tweet(obj, page, out))
                return out
            errors = obj.get("errors") or []
            ctx.warnings.append(f"API errors only, no tweets: {_summarize_errors(errors)}")
            return out
        data = obj["data"]
        items = data if isinstance(data, list) else [data]
        if items and not _is_tweet(items[0]):
            if "username" in items[0]:  # a user lookup page: accounts, no posts
                ctx.accounts.extend(_user(u, received) for u in items if "id" in u)
            else:
                ctx.warnings.append(
                    f"page of {len(items)} non-tweet items (counts?): nothing to import"
                )
            return out
        page = _Page(obj.get("includes"), received)
        rules = obj.get("matching_rules")
        for t in items:
            try:
                p = _tweet(t, page, out)
            except KeyError as exc:
                raise NormalizeError(f"tweet without {exc.args[0]!r}: {str(t)[:120]}") from exc
            if rules:
                p.extras = {
                    **p.extras,
                    "matching_rules": [str(r.get("tag") or r.get("id")) for r in rules],
                }
            out.append(p)
        emitted = {p.platform_id for p in out}
        for t in page.tweets.values():
            if t["id"] not in emitted:  # twarc may repeat page tweets in includes
                out.append(_tweet(t, page, out))
        errors = obj.get("errors")
        if errors:
            ctx.warnings.append(f"{len(errors)} API errors in page: {_summarize_errors(errors)}")
        return out


def _summarize_errors(errors: list[Any]) -> str:
    kinds: dict[str, int] = {}
    for e in errors:
        title = (e.get("title") or e.get("message") or "error") if isinstance(e, dict) else str(e)
        kinds[title] = kinds.get(title, 0) + 1
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items())
