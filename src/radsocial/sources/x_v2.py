"""X (Twitter) API v2: response pages, flattened tweets and filtered-stream lines.

Accepted records:
- a response page `{"data": [...], "includes": {...}, "meta": {...}, "errors": [...]}` as
  written by twarc2 (with its `__twarc` provenance) or any v2 client;
- a filtered-stream line `{"data": {...}, "includes": {...}, "matching_rules": [...]}`;
- a flattened tweet (twarc2 flatten / `twarc-csv` input: `author`, expanded
  `referenced_tweets` inside the tweet);
- pages that hold no tweets (user lookups, tweet counts, compliance events, errors only)
  are recognised and yield nothing, with a note saying so.

Pages are decoded straight into the typed structs of `x_v2_types` (see there why);
`normalize` also takes the generic dicts of other readers and converts them.

Tweets in `includes.tweets` (originals of retweets, quoted and replied-to tweets) are
emitted as posts too. A retweet's text is "RT @author: " plus the original's full
text (the payload truncates it), and it carries the original's hashtags, mentions and
links, as twitwi and twarc-csv do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    as_typed,
    snowflake_time,
    unescape_entities,
)
from radsocial.sources.x_v2_types import (
    Entities,
    MediaItem,
    Page,
    Tweet,
    User,
    decode_page,
)

_fromiso = datetime.fromisoformat


def _user(u: User, observed: datetime | None) -> Account:
    pm = u.public_metrics
    created = u.created_at
    url = u.url or None
    if url and u.entities is not None and u.entities.url is not None:
        # The profile URL is a t.co link; entities.url.urls holds the expanded one.
        for e in u.entities.url.urls or ():
            url = e.expanded_url or url
    return Account(
        platform="x",
        account_id=u.id,  # type: ignore[arg-type]  # callers skip users without id
        handle=u.username,
        name=u.name,
        bio=u.description,
        followers=pm.followers_count if pm is not None else None,
        following=pm.following_count if pm is not None else None,
        posts_count=pm.tweet_count if pm is not None else None,
        verified=u.verified,
        created_at=_fromiso(created) if created else None,
        location=u.location,
        url=url,
        observed_at=observed,
    )


class _Page:
    """The expansions of one page, indexed once so each tweet's lookups are O(1)."""

    __slots__ = ("accounts", "media", "observed", "tweets", "users")

    def __init__(self, page: Page | None, observed: datetime | None) -> None:
        inc = page.includes if page is not None else None
        self.observed = observed
        if inc is None:
            self.users: dict[str, User] = {}
            self.tweets: dict[str, Tweet] = {}
            self.media: dict[str, MediaItem] = {}
        else:
            self.users = {u.id: u for u in inc.users or () if u.id is not None}
            self.tweets = {t.id: t for t in inc.tweets or () if t.id is not None}
            self.media = {m.media_key: m for m in inc.media or () if m.media_key is not None}
        self.accounts: dict[str, Account] = {}

    def account(self, uid: str | None, embedded: User | None = None) -> Account | None:
        if uid is None:
            return None
        acc = self.accounts.get(uid)
        if acc is None:
            u = embedded or self.users.get(uid)
            if u is None or u.id is None:
                return None
            acc = self.accounts[uid] = _user(u, self.observed)
        return acc


def _entities(
    ent: Entities | None, resolved: dict[str, str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Hashtags, mentions and links of a tweet's entities.

    URL entities carrying a media_key are the attached photo or video itself (it is in
    `media`). A link is the unwound URL (where a shortener finally led) when X resolved
    it, else the expanded one; `resolved` maps t.co URLs to unwound URLs known from
    elsewhere (a retweet often carries the resolution its original lacks).
    """
    if ent is None:
        return (), (), ()
    h, m, urls = ent.hashtags, ent.mentions, ent.urls
    tags = tuple([x.tag for x in h if x.tag is not None]) if h else ()
    ments = tuple([x.username for x in m if x.username is not None]) if m else ()
    if not urls:
        return tags, ments, ()
    links: dict[str, None] = {}
    for u in urls:
        if u.media_key is not None:
            continue
        short = u.url
        best = u.unwound_url or (resolved.get(short or "") if resolved else None)
        best = best or u.expanded_url or short
        if best:
            links[best] = None
    return tags, ments, tuple(links)


def _unwound(ent: Entities | None) -> dict[str, str]:
    if ent is None or not ent.urls:
        return {}
    return {u.url: u.unwound_url for u in ent.urls if u.url and u.unwound_url}


def _media(t: Tweet, page: _Page) -> tuple[Media, ...]:
    att = t.attachments
    if att is None or not att.media_keys:
        return ()
    out = []
    for key in att.media_keys:
        m = page.media.get(key)
        if m is None:
            out.append(Media(type="unknown", key=key))
        else:
            out.append(
                Media(
                    type=m.type or "unknown",
                    url=m.url or m.preview_image_url,
                    alt=m.alt_text,
                    key=key,
                )
            )
    return tuple(out)


def _tweet(t: Tweet, page: _Page, out: list[Post]) -> Post:
    tid = t.id
    if tid is None:
        raise NormalizeError("tweet without 'id'")
    created = t.created_at
    when = _fromiso(created) if created else snowflake_time(tid)
    if when is None:
        raise NormalizeError(f"tweet {tid} has no created_at (request tweet.fields=created_at)")
    text = t.text
    if text is None:
        raise NormalizeError(f"tweet {tid} has no text")
    if "&" in text:
        text = unescape_entities(text)
    kind = "original"
    reply_to = quote_of = repost_of = None
    orig: Tweet | None = None
    for ref in t.referenced_tweets or ():
        rtype = ref.type
        rid = ref.id
        if rtype == "retweeted":
            kind, repost_of = "repost", rid
            orig = ref if ref.text is not None else page.tweets.get(rid or "")
        elif rtype == "quoted":
            quote_of = rid
            if kind == "original":
                kind = "quote"
            if ref.text is not None:  # flattened: the quoted tweet is inside
                out.append(_tweet(ref, page, out))
        elif rtype == "replied_to":
            reply_to = rid
            kind = "reply"
            if ref.text is not None:
                out.append(_tweet(ref, page, out))
    author_id = t.author_id
    author = page.account(author_id, t.author)
    tags, ments, links = _entities(t.entities)
    if orig is not None:
        # A retweet's own text and entities are truncated at 140 characters: use the
        # original's, prefixed as the client shows it.
        oauthor = page.account(orig.author_id, orig.author)
        if oauthor is not None and oauthor.handle:
            text = f"RT @{oauthor.handle}: {unescape_entities(orig.text or '')}"
            otags, oments, olinks = _entities(orig.entities, _unwound(t.entities))
            tags, links = otags, olinks
            ments = (oauthor.handle, *(m for m in oments if m != oauthor.handle))
        if orig.text is not None and orig is not page.tweets.get(repost_of or ""):
            out.append(_tweet(orig, page, out))
    pm = t.public_metrics
    np = t.non_public_metrics or t.organic_metrics
    views = pm.impression_count if pm is not None else None
    if views is None and np is not None:
        views = np.impression_count
    extras: dict[str, Any] = {}
    if t.source is not None:
        extras["source"] = t.source
    if t.geo is not None:
        extras["geo"] = t.geo
    if t.possibly_sensitive:
        extras["possibly_sensitive"] = True
    edits = t.edit_history_tweet_ids
    if edits is not None and len(edits) > 1:
        extras["edit_history_tweet_ids"] = edits
    if t.matching_rules is not None:
        extras["matching_rules"] = t.matching_rules
    if t.withheld is not None:
        extras["withheld"] = t.withheld
    handle = author.handle if author is not None else None
    return Post(
        platform="x",
        platform_id=tid,
        created_at=when,
        text=text,
        author_id=author_id,
        author_handle=handle,
        url=f"https://twitter.com/{handle or 'i/web'}/status/{tid}",
        lang=t.lang,
        kind=kind,
        hashtags=tags,
        mentions=ments,
        links=links,
        media=_media(t, page) if t.attachments is not None else (),
        reply_to_id=reply_to,
        reply_to_author_id=t.in_reply_to_user_id,
        quote_of_id=quote_of,
        repost_of_id=repost_of,
        conversation_id=t.conversation_id,
        likes=pm.like_count if pm is not None else None,
        reposts=pm.retweet_count if pm is not None else None,
        replies=pm.reply_count if pm is not None else None,
        quotes=pm.quote_count if pm is not None else None,
        views=views,
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
        if type(obj) is Page:
            return True
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

    def typed_decoder(self) -> Any:
        return decode_page

    def decode(self, payload: bytes) -> Any:
        return decode_page(payload) or orjson.loads(payload)

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        received = ctx.received_at
        out: list[Post] = []
        if type(obj) is not Page:
            if "data" not in obj:
                if _is_tweet(obj):  # flattened tweet (twarc2 flatten)
                    out.append(_tweet(as_typed(obj, Tweet, "X v2"), _Page(None, received), out))
                    return out
                errors = obj.get("errors") or []
                ctx.warnings.append(f"API errors only, no tweets: {_summarize_errors(errors)}")
                return out
            data = obj["data"]
            items = data if isinstance(data, list) else [data]
            if items and not _is_tweet(items[0]):
                if "username" in items[0]:  # a user lookup page: accounts, no posts
                    ctx.accounts.extend(
                        _user(as_typed(u, User, "X v2"), received) for u in items if "id" in u
                    )
                else:
                    ctx.warnings.append(
                        f"page of {len(items)} non-tweet items (counts?): nothing to import"
                    )
                return out
            obj = as_typed(obj, Page, "X v2")
        data = obj.data
        tweets = data if type(data) is list else [] if data is None else [data]
        page = _Page(obj, received)
        rules = obj.matching_rules
        tags = [str(r.tag or r.id) for r in rules] if rules else None
        for t in tweets:
            p = _tweet(t, page, out)
            if tags is not None:
                p.extras = {**p.extras, "matching_rules": tags}
            out.append(p)
        if page.tweets:
            emitted = {p.platform_id for p in out}
            for tid, t in page.tweets.items():
                if tid not in emitted:  # twarc may repeat page tweets in includes
                    out.append(_tweet(t, page, out))
        if obj.errors:
            ctx.warnings.append(
                f"{len(obj.errors)} API errors in page: {_summarize_errors(obj.errors)}"
            )
        return out


def _summarize_errors(errors: list[Any]) -> str:
    kinds: dict[str, int] = {}
    for e in errors:
        title = (e.get("title") or e.get("message") or "error") if isinstance(e, dict) else str(e)
        kinds[title] = kinds.get(title, 0) + 1
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items())
