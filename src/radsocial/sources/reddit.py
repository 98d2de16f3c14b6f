"""Reddit API things (`t3` submissions, `t1` comments) → `Post`.

Accepted records (one decoded JSON value each; the reader has already split top-level
arrays, so a comments response `[submission Listing, comment Listing]` arrives as two):

* a Listing `{"kind": "Listing", "data": {"children": [...], "after", "before"}}`;
* a bare thing `{"kind": "t3" | "t1", "data": {...}}`;
* a thing's `data` object on its own, as Pushshift / Arctic Shift dumps write them
  (a dict with `subreddit`, `created_utc` and `title` or `body`).

Comment `replies` (a Listing, or "" when there are none) are walked depth-first, so a
comment tree gives one post per `t1`. `more` stubs (comments not loaded) and other kinds
(`t2` accounts, `t5` subreddits, ...) are skipped silently.

See docs/sources/reddit.md for the field mapping and decisions.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import Context, Format, NormalizeError, as_int, from_epoch

__all__ = ["RedditFormat"]

PLATFORM = "reddit"
_BASE = "https://www.reddit.com"

# u/name and /u/name (Reddit usernames: 3–20 of [A-Za-z0-9_-]), matched where "u/" occurs
# (a literal search: a regex starting with a lookbehind would try every position).
_MENTION_AT = re.compile(r"u/([A-Za-z0-9_-]{3,20})(?![\w-])")
# Bare and Markdown-linked URLs (ASCII only, so "[x](url)text" in CJK prose ends at the
# URL); trailing punctuation and an unbalanced ')' are trimmed.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&*+,;=%()\\]+")
_TRAIL = ".,;:!?*_~"
_IMAGE_URL = re.compile(r"\.(?:jpe?g|png|webp|gif)(?:\?.*)?$", re.IGNORECASE)
_REDDIT_HOSTS = (
    "reddit.com",
    "www.reddit.com",
    "old.reddit.com",
    "new.reddit.com",
    "np.reddit.com",
    "oauth.reddit.com",
    "redd.it",
    "i.redd.it",
    "v.redd.it",
    "preview.redd.it",
    "external-preview.redd.it",
    "i.reddituploads.com",
)
_REDDIT_IMAGE_HOSTS = ("i.redd.it", "i.reddituploads.com")
_DELETED_TEXT = frozenset(("[deleted]", "[removed]"))
_THING_KINDS = frozenset(("Listing", "t1", "t3", "more"))


def _host(url: str) -> str:
    if "://" not in url:
        return ""
    return url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0].lower()


def _is_reddit_internal(url: str) -> bool:
    """Links to Reddit posts, galleries and Reddit-hosted media (not outside links)."""
    if url.startswith("/"):
        return True
    host = _host(url)
    if host not in _REDDIT_HOSTS:
        return False
    if host.endswith(("redd.it", "reddituploads.com")):
        return True
    path = url.split(host, 1)[1]
    return "/comments/" in path or path.startswith(("/gallery/", "/media", "/video/"))


def _urls(text: str) -> list[str]:
    out = []
    for m in _URL.finditer(text):
        u = m.group(0).replace("\\", "")  # Markdown escapes (wiki/Foo\_bar)
        while u and u[-1] in _TRAIL:
            u = u[:-1]
        while u.endswith(")") and u.count("(") < u.count(")"):
            u = u[:-1]
        if u and not _is_reddit_internal(u):
            out.append(u)
    return out


def _mentions(text: str) -> tuple[str, ...]:
    """u/name and /u/name, not inside words or URLs (reddit.com/u/x, ju/x)."""
    i = text.find("u/")
    if i < 0:
        return ()
    out = []
    while i >= 0:
        m = _MENTION_AT.match(text, i)
        if m is not None:
            j = i - 1
            if j >= 0 and text[j] == "/":
                j -= 1
            prev = text[j] if j >= 0 else " "
            if not (prev.isalnum() or prev in "_/.-"):
                out.append(m.group(1))
        i = text.find("u/", i + 2)
    return tuple(dict.fromkeys(out))


def _fullname(d: dict, prefix: str) -> str:
    name = d.get("name")
    if isinstance(name, str) and name.startswith(prefix):
        return name
    tid = d.get("id")
    if tid is None or tid == "":
        raise NormalizeError(f"Reddit {prefix[:2]} thing has neither name nor id")
    tid = str(tid)
    return tid if tid.startswith(prefix) else prefix + tid


def _permalink(p: Any) -> str | None:
    """Absolute permalink, without the query search listings add (`?ref=search_posts`)."""
    if not p or not isinstance(p, str):
        return None
    p = p.split("?", 1)[0]
    return p if p.startswith("http") else _BASE + p


def _created(d: dict, fullname: str) -> Any:
    ts = d.get("created_utc")
    if ts is None or ts == "":
        raise NormalizeError(f"Reddit {fullname} has no created_utc")
    try:
        return from_epoch(float(ts))
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise NormalizeError(f"Reddit {fullname} has an unreadable created_utc {ts!r}") from exc


class RedditFormat(Format):
    name = "reddit"
    platform = PLATFORM
    description = (
        "Import Reddit submissions and comment trees from API listings and things "
        "(also Pushshift-style dumps of bare things)."
    )

    def sniff(self, obj: Any) -> bool:
        if not isinstance(obj, dict):
            return False
        kind = obj.get("kind")
        if kind is not None:
            data = obj.get("data")
            if kind not in _THING_KINDS or not isinstance(data, dict):
                return False
            return kind != "Listing" or isinstance(data.get("children"), list)
        # Pushshift / Arctic Shift dumps: a thing's data without the kind wrapper
        return (
            "subreddit" in obj
            and "created_utc" in obj
            and "id" in obj
            and ("title" in obj or ("body" in obj and "parent_id" in obj))
        )

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if not isinstance(obj, dict):
            raise NormalizeError(f"expected a Reddit JSON object, got {type(obj).__name__}")
        out: list[Post] = []
        kind = obj.get("kind")
        if kind is None:
            if "title" in obj:
                self._add_submission(obj, ctx, out)
            elif "body" in obj:
                self._walk([{"kind": "t1", "data": obj}], ctx, out, None)
            else:
                raise NormalizeError("not a Reddit thing: no kind, title or body")
            return out
        data = obj.get("data")
        if not isinstance(data, dict):
            raise NormalizeError(f"Reddit {kind!r} thing has no data object")
        self._walk([obj], ctx, out, None)
        return out

    def _walk(self, things: list, ctx: Context, out: list[Post], parent_author: str | None):
        """Depth-first, in order: each t3/t1, then a t1's replies (with the parent's author)."""
        stack: list[tuple[Any, str | None]] = [(t, parent_author) for t in reversed(things)]
        while stack:
            thing, pauthor = stack.pop()
            if not isinstance(thing, dict):
                continue
            kind = thing.get("kind")
            data = thing.get("data")
            if not isinstance(data, dict):
                continue
            if kind == "Listing":
                children = data.get("children") or ()
                stack.extend((c, pauthor) for c in reversed(children))
            elif kind == "t3":
                self._add_submission(data, ctx, out)
            elif kind == "t1":
                post = self._comment(data, ctx, pauthor)
                out.append(post)
                replies = data.get("replies")
                if isinstance(replies, dict):
                    stack.append((replies, post.author_id))
            # "more" stubs, t2 accounts, t5 subreddits...: nothing to import

    # ----------------------------------------------------------------- things

    def _add_submission(self, d: dict, ctx: Context, out: list[Post]) -> None:
        """The submission, then the crossposted original(s) it embeds (like a quoted post)."""
        out.append(self._submission(d, ctx))
        parents = d.get("crosspost_parent_list")
        if isinstance(parents, list):
            for parent in parents:
                if isinstance(parent, dict):
                    out.append(self._submission(parent, ctx))

    def _author(self, d: dict, ctx: Context) -> tuple[str | None, str | None, Account | None]:
        handle = d.get("author")
        if not handle or handle in _DELETED_TEXT:
            return None, None, None
        aid = d.get("author_fullname") or None
        account = None
        if aid:
            account = Account(
                platform=PLATFORM,
                account_id=aid,
                handle=handle,
                url=f"{_BASE}/user/{handle}/",
                observed_at=ctx.received_at,
            )
        return aid, handle, account

    def _submission(self, d: dict, ctx: Context) -> Post:
        fullname = _fullname(d, "t3_")
        created_at = _created(d, fullname)
        author_id, handle, author = self._author(d, ctx)
        title = d.get("title") or ""
        selftext = d.get("selftext") or ""
        text = f"{title}\n\n{selftext}" if selftext else title
        url = d.get("url") or ""
        is_self = bool(d.get("is_self"))
        hint = d.get("post_hint")

        media: list[Media] = []
        link_is_media = False
        if d.get("is_gallery") and isinstance(d.get("media_metadata"), dict):
            meta = d["media_metadata"]
            items = (d.get("gallery_data") or {}).get("items") or [{"media_id": k} for k in meta]
            for it in items:
                mid = it.get("media_id")
                m = meta.get(mid) if mid else None
                if not isinstance(m, dict):
                    continue
                s = m.get("s") or {}
                animated = m.get("e") == "AnimatedImage"
                murl = (s.get("gif") or s.get("mp4")) if animated else s.get("u")
                media.append(
                    Media(
                        type="animated_gif" if animated else "image",
                        url=unescape(murl) if murl else None,
                        alt=it.get("caption") or None,
                        key=mid,
                    )
                )
            link_is_media = True
        elif d.get("is_video"):
            rv = ((d.get("secure_media") or d.get("media") or {}) or {}).get("reddit_video") or {}
            vurl = rv.get("fallback_url") or rv.get("hls_url") or url or None
            media.append(Media(type="video", url=vurl))
            link_is_media = True
        elif not is_self and (
            hint == "image"
            or _host(url) in _REDDIT_IMAGE_HOSTS
            or (hint is None and _IMAGE_URL.search(url))
        ):
            key = None
            preview = d.get("preview")
            if isinstance(preview, dict) and preview.get("images"):
                key = preview["images"][0].get("id")
            gif = url.lower().split("?", 1)[0].endswith(".gif")
            media.append(Media(type="animated_gif" if gif else "image", url=url, key=key))
            link_is_media = True

        links: list[str] = []
        if url and not is_self and not link_is_media and not _is_reddit_internal(url):
            links.append(url)
        if selftext and "http" in selftext:
            links.extend(_urls(selftext))

        extras: dict[str, Any] = {
            "subreddit": d.get("subreddit"),
            "subreddit_id": d.get("subreddit_id"),
            "over_18": bool(d.get("over_18")),
            "score": as_int(d.get("score")),
            "domain": d.get("domain"),
            "is_self": is_self,
        }
        if d.get("link_flair_text"):
            extras["link_flair_text"] = d["link_flair_text"]
        if d.get("upvote_ratio") is not None:
            extras["upvote_ratio"] = d["upvote_ratio"]
        if d.get("edited"):
            extras["edited"] = d["edited"]
        if selftext in _DELETED_TEXT or d.get("removed_by_category"):
            extras["deleted"] = True

        kind = "original"
        quote_of_id = None
        parent = d.get("crosspost_parent")
        if isinstance(parent, str) and parent:
            kind = "quote"
            quote_of_id = parent
        post = Post(
            platform=PLATFORM,
            platform_id=fullname,
            created_at=created_at,
            text=text,
            author_id=author_id,
            author_handle=handle,
            url=_permalink(d.get("permalink")),
            kind=kind,
            mentions=_mentions(text),
            links=tuple(dict.fromkeys(links)),
            media=tuple(media),
            quote_of_id=quote_of_id,
            conversation_id=fullname,
            likes=as_int(d.get("score")),
            reposts=as_int(d.get("num_crossposts")),
            replies=as_int(d.get("num_comments")),
            author=author,
            extras=extras,
        )
        return post

    def _comment(self, d: dict, ctx: Context, parent_author: str | None) -> Post:
        fullname = _fullname(d, "t1_")
        created_at = _created(d, fullname)
        author_id, handle, author = self._author(d, ctx)
        body = d.get("body") or ""
        link_id = d.get("link_id") or None
        url = _permalink(d.get("permalink"))
        if url is None and link_id and d.get("subreddit"):
            # old responses have no permalink; Reddit accepts any slug in its place
            url = f"{_BASE}/r/{d['subreddit']}/comments/{link_id[3:]}/_/{fullname[3:]}/"
        extras: dict[str, Any] = {
            "subreddit": d.get("subreddit"),
            "subreddit_id": d.get("subreddit_id"),
            "score": as_int(d.get("score")),
        }
        if d.get("edited"):
            extras["edited"] = d["edited"]
        if body in _DELETED_TEXT:
            extras["deleted"] = True
        parent_id = d.get("parent_id") or None
        return Post(
            platform=PLATFORM,
            platform_id=fullname,
            created_at=created_at,
            text=body,
            author_id=author_id,
            author_handle=handle,
            url=url,
            kind="reply",
            mentions=_mentions(body),
            links=tuple(dict.fromkeys(_urls(body))) if "http" in body else (),
            reply_to_id=parent_id,
            reply_to_author_id=parent_author,
            conversation_id=link_id,
            likes=as_int(d.get("score")),
            author=author,
            extras=extras,
        )
