"""One writer per payload format: X API v2 pages, Bluesky AppView responses, Mastodon.

Each writer turns the generator's decisions (who posts what, when, replying to or
reposting which earlier post) into the payloads the platform's API returns, buffers one
day, and writes it as that day's response pages, newest first (the order search and
timelines return), into one file per month:

    corpus/x-v2/2019/x-v2-2019-12.jsonl.zst
    corpus/bluesky/2024/bluesky-2024-11.jsonl.zst
    corpus/mastodon/2023/mastodon-2023-01.jsonl.zst

- X: twarc2 response pages of full-archive search, `{"data", "includes": {"users",
  "tweets", "media"}, "meta", "__twarc"}`, with `public_metrics` (and
  `impression_count` from December 2022, when X started to report it), entities with
  code-point indices, `referenced_tweets`, and the retweeted / quoted / replied-to
  tweets in `includes.tweets`. Ids are snowflakes: ((ms - epoch) << 22) | sequence.
- Bluesky: `app.bsky.feed.searchPosts` responses (`{"posts", "cursor", "hitsTotal"}`)
  of post views with facets in UTF-8 byte ranges, and — since search does not return
  reposts — reposts as feed pages (`{"feed": [{"post", "reason": reasonRepost}]}`),
  the shape of getAuthorFeed / custom feeds.
- Mastodon: list-timeline pages (≤ 40 statuses, HTML content), each kept as the
  recorded response `{"request", "status", "recorded_at", "body"}` so the importer
  knows which instance served the local ids.

Every record carries `config.MARKER: true` at its top level (each X page, each Bluesky
envelope, each Mastodon envelope and status), which the importers ignore.

Writers also report, per post, what radsocial will store for it (its hashtags, whether
it has mentions, images, links), so `truth.json` counts what an analysis should find.
"""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import orjson
import zstandard

from radsocial.synth.config import MARKER
from radsocial.synth.population import SERVING_INSTANCE, Account
from radsocial.synth.rand import SNOWFLAKE_EPOCH_MS, Pools, tid
from radsocial.synth.texts import LINK, MENTION, PLAIN, TAG, Content

__all__ = ["BlueskyWriter", "Entry", "MastodonWriter", "XWriter", "make_writer"]

_DAY_MS = 86_400_000
_FLUSH = 1 << 20
_EXT = {"zstd": ".jsonl.zst", "gzip": ".jsonl.gz", "none": ".jsonl"}
_IMPRESSIONS_SINCE_MS = 1_671_062_400_000  # 2022-12-15: X shows view counts
_EDIT_HISTORY_SINCE_MS = 1_662_076_800_000  # 2022-09-02: edit_history_tweet_ids
_SOURCE_UNTIL_MS = 1_671_062_400_000  # X dropped `source` from v2 payloads in Dec 2022
_DUMPS = orjson.dumps
_NL = orjson.OPT_APPEND_NEWLINE

# Pieces of ISO timestamps, so that formatting one is three lookups and a concatenation.
_HHMM = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SS = tuple(f"{s:02d}." for s in range(60))
_MMM = tuple(f"{m:03d}Z" for m in range(1000))

_TAG_FEATURE = "app.bsky.richtext.facet#tag"
_MENTION_FEATURE = "app.bsky.richtext.facet#mention"
_LINK_FEATURE = "app.bsky.richtext.facet#link"


class Entry:
    """A written post that later posts can repost, quote or reply to — and its truth.

    `tags`, `mention`, `image`, `link` describe the post *as radsocial stores it*: a
    repost on X shows its original's tags, mentions, links and images; on Bluesky and
    Mastodon a repost is an empty record.
    """

    __slots__ = (
        "acc",
        "conv",
        "image",
        "link",
        "media",
        "mention",
        "noise",
        "obj",
        "pid",
        "root",
        "rt",
        "rt_metrics",
        "rt_metrics_v",
        "rt_view",
        "tags",
        "text",
    )

    def __init__(self) -> None:
        self.pid = ""  # platform id (X tweet id, at:// URI, Mastodon local id)
        self.acc: Account | None = None
        self.obj: Any = None  # the payload object (tweet, post view, status)
        self.media: list[dict[str, Any]] = []  # X includes.media entries
        self.conv = ""  # X conversation id
        self.root: Any = None  # Bluesky reply root {"cid", "uri"}
        self.text = ""
        self.tags: list[str] = []
        self.mention = False
        self.image = False
        self.link = False
        self.noise = False
        self.rt: tuple[str, dict[str, Any], dict[str, Any] | None] | None = None
        self.rt_metrics: dict[str, int] | None = None  # X: a retweet's public_metrics
        self.rt_metrics_v: dict[str, int] | None = None  # the same with impression_count
        self.rt_view: Entry | None = None  # what a repost of this post stores (shared)


def _empty_repost(noise: bool) -> Entry:
    e = Entry()
    e.noise = noise
    return e


#: What radsocial stores for a Bluesky or Mastodon repost: an empty record (shared by all).
_EMPTY_REPOST = _empty_repost(False)
_EMPTY_REPOST_NOISE = _empty_repost(True)


def _display(url: str, width: int = 26) -> str:
    """A URL as clients show it: no scheme, no 'www.', cut with an ellipsis."""
    s = url.split("://", 1)[-1].removeprefix("www.")
    return s if len(s) <= width else s[: width - 1] + "…"


class _File:
    """A month file, compressed as asked, written in ~1 MiB chunks."""

    def __init__(self, path: Path, compress: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._raw = raw
        self._out: IO[bytes]
        if compress == "zstd":
            self._out = zstandard.ZstdCompressor(level=2).stream_writer(raw, closefd=False)
        elif compress == "gzip":
            self._out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=3)
        else:
            self._out = raw
        self._buf: list[bytes] = []
        self._size = 0
        self.raw_bytes = 0
        self.lines = 0

    def write(self, line: bytes) -> None:
        self._buf.append(line)
        self._size += len(line)
        self.lines += 1
        if self._size >= _FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            data = b"".join(self._buf)
            self._out.write(data)
            self.raw_bytes += len(data)
            self._buf = []
            self._size = 0

    def close(self) -> int:
        self._flush()
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
        return self.path.stat().st_size


class _Writer:
    """What the three writers share: files, the day's clock strings, counters."""

    fmt = ""
    platform = ""

    def __init__(self, root: Path, compress: str, pools: Pools, random: Any) -> None:
        self.root = root
        self.compress = compress
        self.pools = pools
        self.r = random
        self.file: _File | None = None
        self.files: list[dict[str, Any]] = []
        self.records = 0
        self.raw_bytes = 0
        self.bytes = 0
        self.seq = 0
        self.day_ms = 0
        self.day_prefix = ""
        self.retrieved = ""

    # -- files
    def open_month(self, year: int, month: int) -> None:
        name = f"{self.fmt}-{year}-{month:02d}{_EXT[self.compress]}"
        self.file = _File(self.root / self.fmt / str(year) / name, self.compress)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        self.retrieved = f"{nxt + timedelta(days=1)}T03:12:45+00:00"

    def close_month(self) -> None:
        f = self.file
        if f is None:
            return
        size = f.close()
        self.records += f.lines
        self.raw_bytes += f.raw_bytes
        self.bytes += size
        self.files.append(
            {
                "path": f.path.relative_to(self.root.parent).as_posix(),
                "records": f.lines,
                "bytes": size,
            }
        )
        self.file = None

    def write(self, obj: Any) -> None:
        assert self.file is not None
        self.file.write(_DUMPS(obj, option=_NL))

    # -- clock
    def begin_day(self, d: date, day_ms: int) -> None:
        self.day_ms = day_ms
        self.day_prefix = f"{d.isoformat()}T"

    def iso(self, ms: int) -> str:
        """'2019-12-01T14:03:27.123Z' (table lookups inside the current day)."""
        off = ms - self.day_ms
        if 0 <= off < _DAY_MS:
            s = off // 1000
            return self.day_prefix + _HHMM[s // 60] + _SS[s % 60] + _MMM[off % 1000]
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def metrics(self, acc: Account) -> tuple[int, int, int, int]:
        """(likes, reposts, replies, quotes) as an API shows them some time later."""
        r = self.r
        reach = acc.followers + 20
        likes = int(reach * 0.03 * r() * r())
        reposts = int(likes * 0.4 * r())
        return likes, reposts, int(likes * 0.1 * r()), int(reposts * 0.2 * r())


# ===================================================================== X API v2


class XWriter(_Writer):
    fmt = "x-v2"
    platform = "x"

    _EXPANSIONS = (
        "expansions=author_id%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id"
        "%2Cin_reply_to_user_id%2Cattachments.media_keys"
        "&tweet.fields=attachments%2Cauthor_id%2Cconversation_id%2Ccreated_at%2Centities"
        "%2Cid%2Cin_reply_to_user_id%2Clang%2Cpublic_metrics%2Ctext%2Cpossibly_sensitive"
        "%2Creferenced_tweets%2Creply_settings%2Csource%2Cedit_history_tweet_ids"
        "&user.fields=created_at%2Cdescription%2Cid%2Clocation%2Cname%2Cprofile_image_url"
        "%2Cprotected%2Cpublic_metrics%2Curl%2Cusername%2Cverified"
        "&media.fields=alt_text%2Cduration_ms%2Cheight%2Cmedia_key%2Cpreview_image_url"
        "%2Ctype%2Curl%2Cwidth%2Cvariants%2Cpublic_metrics"
        "&max_results=100"
        "&query=%23radiology%20OR%20%23RadRes%20OR%20%23FOAMrad%20OR%20%23IRad%20OR"
        "%20%23BreastImaging%20OR%20%23radAI%20OR%20%23RSNA%20OR%20%23JACR"
    )

    def __init__(self, root: Path, compress: str, pools: Pools, random: Any) -> None:
        super().__init__(root, compress, pools, random)
        self.day: list[tuple[dict[str, Any], Account, list[dict[str, Any]], tuple[Entry, ...]]] = []
        self.query = ""
        self.prev_token = ""
        self.views = 0  # sum of impression_count (X reports it from December 2022)

    def begin_day(self, d: date, day_ms: int) -> None:
        super().begin_day(d, day_ms)
        end = d + timedelta(days=1)
        self.query = (
            "https://api.twitter.com/2/tweets/search/all?"
            + self._EXPANSIONS
            + f"&start_time={d}T00%3A00%3A00.000Z&end_time={end}T00%3A00%3A00.000Z"
        )

    def _id(self, ms: int) -> str:
        self.seq += 1
        return str(((ms - SNOWFLAKE_EPOCH_MS) << 22) | (self.seq & 0x3FFFFF))

    def _render(self, segs: list[tuple[int, Any]], e: Entry) -> tuple[str, dict[str, Any] | None]:
        parts: list[str] = []
        pos = 0
        tags: list[dict[str, Any]] = []
        ments: list[dict[str, Any]] = []
        urls: list[dict[str, Any]] = []
        for kind, v in segs:
            if kind == PLAIN:
                parts.append(v)
                pos += len(v)
            elif kind == TAG:
                n = len(v) + 1
                tags.append({"start": pos, "end": pos + n, "tag": v})
                parts.append("#" + v)
                pos += n
                e.tags.append(v)
            elif kind == MENTION:
                n = len(v.handle) + 1
                ments.append({"start": pos, "end": pos + n, "username": v.handle, "id": v.uid})
                parts.append("@" + v.handle)
                pos += n
                e.mention = True
            else:  # LINK
                short = "https://t.co/" + self.pools.b62(10)
                u = {
                    "start": pos,
                    "end": pos + 23,
                    "url": short,
                    "expanded_url": v,
                    "display_url": _display(v),
                }
                if self.r() < 0.5:
                    u["unwound_url"] = v
                urls.append(u)
                parts.append(short)
                pos += 23
                if "/status/" not in v:
                    e.link = True
        ent: dict[str, Any] = {}
        if tags:
            ent["hashtags"] = tags
        if ments:
            ent["mentions"] = ments
        if urls:
            ent["urls"] = urls
        return "".join(parts), ent or None

    def _media(
        self, ms: int, media: int, tid_: str, handle: str, text: str, ent: dict[str, Any] | None
    ):
        """Attach photos (media > 0) or a video (media < 0): keys, t.co link, includes."""
        mid = ((ms - SNOWFLAKE_EPOCH_MS) << 22) | ((self.seq << 2) & 0x3FFFFF)
        out: list[dict[str, Any]] = []
        if media < 0:
            key = f"7_{mid}"
            out.append(
                {
                    "media_key": key,
                    "type": "video",
                    "duration_ms": 15_000 + int(self.r() * 100_000),
                    "preview_image_url": f"https://pbs.twimg.com/ext_tw_video_thumb/{mid}/pu/img/{self.pools.b62(16)}.jpg",
                    "width": 1280,
                    "height": 720,
                    "variants": [
                        {
                            "bit_rate": 832000,
                            "content_type": "video/mp4",
                            "url": f"https://video.twimg.com/ext_tw_video/{mid}/pu/vid/640x360/{self.pools.b62(16)}.mp4",
                        }
                    ],
                    "public_metrics": {"view_count": int(self.r() * 5000)},
                }
            )
            kind = "video"
        else:
            for i in range(media):
                m = {
                    "media_key": f"3_{mid + i}",
                    "type": "photo",
                    "url": f"https://pbs.twimg.com/media/{self.pools.b62(15)}.jpg",
                    "width": 1200,
                    "height": 900 + 100 * i,
                }
                if self.r() < 0.3:
                    m["alt_text"] = "Radiology image: " + ("axial CT" if i % 2 else "MRI slice")
                out.append(m)
            kind = "photo"
        short = "https://t.co/" + self.pools.b62(10)
        start = len(text) + 1
        link = {
            "start": start,
            "end": start + 23,
            "url": short,
            "expanded_url": f"https://twitter.com/{handle}/status/{tid_}/{kind}/1",
            "display_url": "pic.twitter.com/" + short[13:],
            "media_key": out[0]["media_key"],
        }
        ent = ent if ent is not None else {}
        ent.setdefault("urls", []).append(link)
        return text + " " + short, ent, out

    def _tweet(
        self, ms: int, acc: Account, content: Content, media: int, e: Entry
    ) -> dict[str, Any]:
        sid = self._id(ms)
        text, ent = self._render(content.segs, e)
        med: list[dict[str, Any]] = []
        if media:
            text, ent, med = self._media(ms, media, sid, acc.handle, text, ent)
            e.image = media > 0
        likes, rts, reps, quotes = self.metrics(acc)
        pm: dict[str, int] = {
            "retweet_count": rts,
            "reply_count": reps,
            "like_count": likes,
            "quote_count": quotes,
        }
        if ms >= _IMPRESSIONS_SINCE_MS:
            views = likes * 30 + int(acc.followers * 0.2 * self.r())
            pm["impression_count"] = views
            self.views += views
        t: dict[str, Any] = {
            "id": sid,
            "text": text,
            "author_id": acc.uid,
            "conversation_id": sid,
            "created_at": self.iso(ms - ms % 1000),
            "lang": content.lang,
            "public_metrics": pm,
            "possibly_sensitive": False,
            "reply_settings": "everyone",
        }
        if ent:
            t["entities"] = ent
        if med:
            t["attachments"] = {"media_keys": [m["media_key"] for m in med]}
        if ms >= _EDIT_HISTORY_SINCE_MS:
            t["edit_history_tweet_ids"] = [sid]
        if ms < _SOURCE_UNTIL_MS:
            t["source"] = "Twitter for iPhone" if acc.idx % 3 else "Twitter Web App"
        rtm = {"retweet_count": rts, "reply_count": 0, "like_count": 0, "quote_count": 0}
        e.rt_metrics = rtm
        e.rt_metrics_v = {**rtm, "impression_count": 0}
        e.pid = sid
        e.acc = acc
        e.obj = t
        e.media = med
        e.conv = sid
        e.text = text
        e.noise = content.noise
        return t

    def original(self, ms: int, acc: Account, content: Content, media: int) -> Entry:
        e = Entry()
        t = self._tweet(ms, acc, content, media, e)
        self.day.append((t, acc, e.media, ()))
        return e

    def reply(self, ms: int, acc: Account, content: Content, parent: Entry, media: int) -> Entry:
        e = Entry()
        pacc = parent.acc
        assert pacc is not None
        content.segs[0:0] = [(MENTION, pacc), (PLAIN, " ")]
        t = self._tweet(ms, acc, content, media, e)
        t["referenced_tweets"] = [{"type": "replied_to", "id": parent.pid}]
        t["in_reply_to_user_id"] = pacc.uid
        t["conversation_id"] = e.conv = parent.conv
        self.day.append((t, acc, e.media, (parent,)))
        return e

    def quote(self, ms: int, acc: Account, content: Content, target: Entry) -> Entry:
        e = Entry()
        tacc = target.acc
        assert tacc is not None
        content.segs.append((PLAIN, " "))
        content.segs.append((LINK, f"https://twitter.com/{tacc.handle}/status/{target.pid}"))
        t = self._tweet(ms, acc, content, 0, e)
        t["referenced_tweets"] = [{"type": "quoted", "id": target.pid}]
        self.day.append((t, acc, e.media, (target,)))
        return e

    def _rt(self, target: Entry) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        """A retweet's text, entities and attachments: 'RT @author: ' + the original
        cut at 140 characters, with the entities that still fit. The same for every
        retweet of a post, so computed once per original."""
        tacc = target.acc
        assert tacc is not None
        prefix = f"RT @{tacc.handle}: "
        full = prefix + target.text
        cut = len(full) > 140
        text = full[:139] + "…" if cut else full
        limit = 139 if cut else len(full)
        shift = len(prefix)
        ments = [{"start": 3, "end": 4 + len(tacc.handle), "username": tacc.handle, "id": tacc.uid}]
        ent: dict[str, Any] = {"mentions": ments}
        oent = target.obj.get("entities")
        if oent:
            for key in ("hashtags", "mentions", "urls"):
                for x in oent.get(key, ()):
                    if x["end"] + shift <= limit and "media_key" not in x:
                        y = dict(x)
                        y["start"] += shift
                        y["end"] += shift
                        ent.setdefault(key, []).append(y)
        att = None
        if target.media:  # as X often does, the retweet lists its original's media
            att = {"media_keys": [m["media_key"] for m in target.media]}
        target.rt = (text, ent, att)
        view = Entry()
        view.tags = target.tags
        view.mention = True  # "RT @author"
        view.image = target.image
        view.link = target.link
        view.noise = target.noise
        target.rt_view = view
        return target.rt

    def repost(self, ms: int, acc: Account, target: Entry) -> Entry:
        """A retweet (its own id, time and author; text and entities from `_rt`).

        Returns what radsocial stores for it (shared by every retweet of the target);
        reposts are never reposted or replied to, so they need no Entry of their own.
        """
        sid = self._id(ms)
        text, ent, att = target.rt or self._rt(target)
        t: dict[str, Any] = {
            "id": sid,
            "text": text,
            "author_id": acc.uid,
            "conversation_id": sid,
            "created_at": self.iso(ms - ms % 1000),
            "lang": target.obj["lang"],
            "public_metrics": target.rt_metrics
            if ms < _IMPRESSIONS_SINCE_MS
            else target.rt_metrics_v,
            "possibly_sensitive": False,
            "reply_settings": "everyone",
            "entities": ent,
            "referenced_tweets": [{"type": "retweeted", "id": target.pid}],
        }
        if att is not None:
            t["attachments"] = att
        if ms >= _EDIT_HISTORY_SINCE_MS:
            t["edit_history_tweet_ids"] = [sid]
        if ms < _SOURCE_UNTIL_MS:
            t["source"] = "Twitter for Android" if acc.idx % 2 else "Twitter for iPhone"
        self.day.append((t, acc, target.media, (target,)))
        view = target.rt_view
        assert view is not None
        return view

    def end_day(self) -> None:
        items = self.day
        if not items:
            return
        items.reverse()  # search returns newest first
        n = len(items)
        for i in range(0, n, 100):
            chunk = items[i : i + 100]
            users: dict[str, Any] = {}
            tweets: dict[str, Any] = {}
            media: dict[str, Any] = {}
            data = []
            for t, acc, med, refs in chunk:
                data.append(t)
                users[acc.uid] = acc.frag
                for m in med:
                    media[m["media_key"]] = m
                for ref in refs:
                    tweets[ref.pid] = ref.obj
                    racc = ref.acc
                    assert racc is not None
                    users[racc.uid] = racc.frag
                    for m in ref.media:
                        media[m["media_key"]] = m
            includes: dict[str, Any] = {"users": list(users.values())}
            if tweets:
                includes["tweets"] = list(tweets.values())
            if media:
                includes["media"] = list(media.values())
            meta: dict[str, Any] = {
                "newest_id": data[0]["id"],
                "oldest_id": data[-1]["id"],
                "result_count": len(data),
            }
            token = ""
            if i + 100 < n:
                token = self.pools.b62(13).lower()
                meta["next_token"] = token
            url = self.query if i == 0 else f"{self.query}&next_token={self.prev_token}"
            self.prev_token = token
            self.write(
                {
                    "data": data,
                    "includes": includes,
                    "meta": meta,
                    "__twarc": {"url": url, "version": "2.14.0", "retrieved_at": self.retrieved},
                    MARKER: True,
                }
            )
        self.day = []


# ===================================================================== Bluesky


class BlueskyWriter(_Writer):
    fmt = "bluesky"
    platform = "bluesky"

    def __init__(self, root: Path, compress: str, pools: Pools, random: Any) -> None:
        super().__init__(root, compress, pools, random)
        self.posts: list[dict[str, Any]] = []
        self.feed: list[dict[str, Any]] = []

    def _facets(self, segs: list[tuple[int, Any]], e: Entry) -> tuple[str, list[dict[str, Any]]]:
        parts: list[str] = []
        pos = 0
        facets: list[dict[str, Any]] = []
        for kind, v in segs:
            if kind == PLAIN:
                parts.append(v)
                pos += len(v) if v.isascii() else len(v.encode())
                continue
            if kind == TAG:
                s = "#" + v
                feat = {"$type": _TAG_FEATURE, "tag": v}
                e.tags.append(v)
            elif kind == MENTION:
                s = "@" + v.handle
                feat = {"$type": _MENTION_FEATURE, "did": v.uid}
                e.mention = True
            else:
                s = _display(v, 30).replace("…", "...")
                feat = {"$type": _LINK_FEATURE, "uri": v}
                if "bsky.app/profile/" not in v:
                    e.link = True
            n = len(s) if s.isascii() else len(s.encode())
            facets.append({"index": {"byteStart": pos, "byteEnd": pos + n}, "features": [feat]})
            parts.append(s)
            pos += n
        return "".join(parts), facets

    def _view(
        self, ms: int, acc: Account, content: Content, media: int, e: Entry
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        self.seq += 1
        rkey = tid(ms * 1000 + (self.seq % 1000), self.seq)
        uri = f"at://{acc.uid}/app.bsky.feed.post/{rkey}"
        text, facets = self._facets(content.segs, e)
        rec: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "createdAt": self.iso(ms),
            "langs": [content.lang],
            "text": text,
        }
        if facets:
            rec["facets"] = facets
        view: dict[str, Any] = {
            "uri": uri,
            "cid": self.pools.cid(),
            "author": acc.frag,
            "record": rec,
        }
        if media:
            did = acc.uid
            if media < 0:
                cid = self.pools.blob()
                rec["embed"] = {
                    "$type": "app.bsky.embed.video",
                    "video": {
                        "$type": "blob",
                        "ref": {"$link": cid},
                        "mimeType": "video/mp4",
                        "size": 2_400_000,
                    },
                    "aspectRatio": {"height": 720, "width": 1280},
                }
                view["embed"] = {
                    "$type": "app.bsky.embed.video#view",
                    "cid": cid,
                    "playlist": f"https://video.bsky.app/watch/{did}/{cid}/playlist.m3u8",
                    "thumbnail": f"https://video.bsky.app/watch/{did}/{cid}/thumbnail.jpg",
                    "aspectRatio": {"height": 720, "width": 1280},
                }
            else:
                images = []
                shown = []
                for i in range(media):
                    cid = self.pools.blob()
                    alt = "Radiology image" if i % 2 == 0 else ""
                    ratio = {"height": 900, "width": 1200}
                    images.append(
                        {
                            "alt": alt,
                            "aspectRatio": ratio,
                            "image": {
                                "$type": "blob",
                                "ref": {"$link": cid},
                                "mimeType": "image/jpeg",
                                "size": 350_000 + i,
                            },
                        }
                    )
                    shown.append(
                        {
                            "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{cid}@jpeg",
                            "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg",
                            "alt": alt,
                            "aspectRatio": ratio,
                        }
                    )
                rec["embed"] = {"$type": "app.bsky.embed.images", "images": images}
                view["embed"] = {"$type": "app.bsky.embed.images#view", "images": shown}
                e.image = True
        else:
            link = next((v for k, v in content.segs if k == LINK), None)
            if link is not None and self.r() < 0.7:  # a link card
                ext = {"uri": link, "title": "Radiology: " + _display(link, 40), "description": ""}
                rec["embed"] = {"$type": "app.bsky.embed.external", "external": ext}
                view["embed"] = {"$type": "app.bsky.embed.external#view", "external": dict(ext)}
        likes, reposts, replies, quotes = self.metrics(acc)
        view["replyCount"] = replies
        view["repostCount"] = reposts
        view["likeCount"] = likes
        view["quoteCount"] = quotes
        view["indexedAt"] = self.iso(ms + 150 + int(self.r() * 2000))
        view["labels"] = []
        e.pid = uri
        e.acc = acc
        e.obj = view
        e.noise = content.noise
        e.root = {"cid": view["cid"], "uri": uri}
        return view, rec

    def original(self, ms: int, acc: Account, content: Content, media: int) -> Entry:
        e = Entry()
        view, _rec = self._view(ms, acc, content, media, e)
        self.posts.append(view)
        return e

    def reply(self, ms: int, acc: Account, content: Content, parent: Entry, media: int) -> Entry:
        e = Entry()
        view, rec = self._view(ms, acc, content, media, e)
        pv = parent.obj
        rec["reply"] = {"parent": {"cid": pv["cid"], "uri": pv["uri"]}, "root": parent.root}
        e.root = parent.root
        self.posts.append(view)
        return e

    def quote(self, ms: int, acc: Account, content: Content, target: Entry) -> Entry:
        e = Entry()
        view, rec = self._view(ms, acc, content, 0, e)
        tv = target.obj
        rec["embed"] = {
            "$type": "app.bsky.embed.record",
            "record": {"cid": tv["cid"], "uri": tv["uri"]},
        }
        quoted: dict[str, Any] = {
            "$type": "app.bsky.embed.record#viewRecord",
            "uri": tv["uri"],
            "cid": tv["cid"],
            "author": tv["author"],
            "value": tv["record"],
            "labels": [],
            "likeCount": tv["likeCount"],
            "replyCount": tv["replyCount"],
            "repostCount": tv["repostCount"],
            "quoteCount": tv["quoteCount"],
            "indexedAt": tv["indexedAt"],
        }
        if "embed" in tv:
            quoted["embeds"] = [tv["embed"]]
        view["embed"] = {"$type": "app.bsky.embed.record#view", "record": quoted}
        self.posts.append(view)
        return e

    def repost(self, ms: int, acc: Account, target: Entry) -> Entry:
        self.seq += 1
        rkey = tid(ms * 1000 + (self.seq % 1000), self.seq)
        self.feed.append(
            {
                "post": target.obj,
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": acc.frag,
                    "uri": f"at://{acc.uid}/app.bsky.feed.repost/{rkey}",
                    "cid": self.pools.cid(),
                    "indexedAt": self.iso(ms),
                },
            }
        )
        return _EMPTY_REPOST_NOISE if target.noise else _EMPTY_REPOST

    def end_day(self) -> None:
        for items, key in ((self.posts, "posts"), (self.feed, "feed")):
            if not items:
                continue
            items.reverse()
            n = len(items)
            for i in range(0, n, 100):
                page: dict[str, Any] = {key: items[i : i + 100]}
                if i + 100 < n:
                    page["cursor"] = str(i + 100) if key == "posts" else self.pools.b32(16)
                if key == "posts":
                    page["hitsTotal"] = n
                page[MARKER] = True
                self.write(page)
        self.posts = []
        self.feed = []


# ===================================================================== Mastodon


def _esc(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        text = (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
            .replace("'", "&#39;")
        )
    return text


class MastodonWriter(_Writer):
    fmt = "mastodon"
    platform = "mastodon"

    def __init__(self, root: Path, compress: str, pools: Pools, random: Any) -> None:
        super().__init__(root, compress, pools, random)
        self.day: list[dict[str, Any]] = []
        self.host = SERVING_INSTANCE

    def _id(self, ms: int) -> str:
        self.seq += 1
        return str((ms << 16) | (self.seq & 0xFFFF))

    def _html(
        self, segs: list[tuple[int, Any]], e: Entry, mentions: list[dict[str, str]]
    ) -> tuple[str, list[dict[str, str]]]:
        out = ["<p>"]
        tags: list[dict[str, str]] = []
        for kind, v in segs:
            if kind == PLAIN:
                out.append(_esc(v))
            elif kind == TAG:
                low = v.lower()
                url = f"https://{self.host}/tags/{low}"
                out.append(
                    f'<a href="{url}" class="mention hashtag" rel="tag">#<span>{v}</span></a>'
                )
                tags.append({"name": low, "url": url})
                e.tags.append(v)
            elif kind == MENTION:
                m = v.mention
                out.append(
                    f'<span class="h-card" translate="no"><a href="{m["url"]}" class="u-url mention">@<span>{m["username"]}</span></a></span>'
                )
                if m not in mentions:
                    mentions.append(m)
                e.mention = True
            else:
                scheme, _, rest = v.partition("://")
                shown, hidden = rest[:30], rest[30:]
                ell = "ellipsis" if hidden else ""
                out.append(
                    f'<a href="{_esc(v)}" target="_blank" rel="nofollow noopener" translate="no">'
                    f'<span class="invisible">{scheme}://</span><span class="{ell}">{_esc(shown)}</span>'
                    f'<span class="invisible">{_esc(hidden)}</span></a>'
                )
                e.link = True
        out.append("</p>")
        return "".join(out), tags

    def _status(
        self, ms: int, acc: Account, content: Content, media: int, e: Entry
    ) -> dict[str, Any]:
        sid = self._id(ms)
        mentions: list[dict[str, str]] = []
        html, tags = self._html(content.segs, e, mentions)
        atts = []
        if media:
            for i in range(1 if media < 0 else media):
                mid = str(int(sid) + i + 1)
                kind = "video" if media < 0 else "image"
                ext = "mp4" if media < 0 else "jpeg"
                path = f"media_attachments/files/{mid[:3]}/{mid[3:6]}/{mid[6:9]}/original/{self.pools.hex(16)}.{ext}"
                atts.append(
                    {
                        "id": mid,
                        "type": kind,
                        "url": f"https://{self.host}/system/{path}",
                        "preview_url": f"https://{self.host}/system/{path.replace('/original/', '/small/')}",
                        "remote_url": None,
                        "description": "Radiology image" if i == 0 and self.r() < 0.6 else None,
                        "blurhash": "U" + self.pools.b62(27),
                        "meta": {"original": {"width": 1200, "height": 900}},
                    }
                )
            e.image = media > 0
        likes, reblogs, replies, _q = self.metrics(acc)
        st: dict[str, Any] = {
            "id": sid,
            "created_at": self.iso(ms),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": content.lang,
            "uri": acc.prefix + sid,
            "url": f"{acc.url}/{sid}",
            "replies_count": replies,
            "reblogs_count": reblogs,
            "favourites_count": likes,
            "edited_at": None,
            "content": html,
            "reblog": None,
            "account": acc.frag,
            "media_attachments": atts,
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "card": None,
            "poll": None,
            MARKER: True,
        }
        link = next((v for k, v in content.segs if k == LINK), None)
        if link is not None and not atts and self.r() < 0.5:
            st["card"] = {
                "url": link,
                "title": "Radiology: " + _display(link, 40),
                "description": "",
                "type": "link",
                "provider_name": link.split("/", 3)[2],
            }
        e.pid = sid
        e.acc = acc
        e.obj = st
        e.noise = content.noise
        return st

    def original(self, ms: int, acc: Account, content: Content, media: int) -> Entry:
        e = Entry()
        self.day.append(self._status(ms, acc, content, media, e))
        return e

    def reply(self, ms: int, acc: Account, content: Content, parent: Entry, media: int) -> Entry:
        e = Entry()
        pacc = parent.acc
        assert pacc is not None
        content.segs[0:0] = [(MENTION, pacc), (PLAIN, " ")]
        st = self._status(ms, acc, content, media, e)
        st["in_reply_to_id"] = parent.pid
        st["in_reply_to_account_id"] = pacc.local_id
        self.day.append(st)
        return e

    def quote(self, ms: int, acc: Account, content: Content, target: Entry) -> Entry:
        raise NotImplementedError("Mastodon quotes are not generated (quote share 0)")

    def repost(self, ms: int, acc: Account, target: Entry) -> Entry:
        sid = self._id(ms)
        uri = f"{acc.prefix}{sid}/activity"
        self.day.append(
            {
                "id": sid,
                "created_at": self.iso(ms),
                "in_reply_to_id": None,
                "in_reply_to_account_id": None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "language": None,
                "uri": uri,
                "url": uri,
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "edited_at": None,
                "content": "",
                "reblog": target.obj,
                "account": acc.frag,
                "media_attachments": [],
                "mentions": [],
                "tags": [],
                "emojis": [],
                "card": None,
                "poll": None,
                MARKER: True,
            }
        )
        return _EMPTY_REPOST_NOISE if target.noise else _EMPTY_REPOST

    def end_day(self) -> None:
        items = self.day
        if not items:
            return
        items.reverse()  # timelines are newest first
        base = f"https://{self.host}/api/v1/timelines/list/7?limit=40"
        max_id = None
        for i in range(0, len(items), 40):
            body = items[i : i + 40]
            uri = base if max_id is None else f"{base}&max_id={max_id}"
            self.write(
                {
                    "request": {"method": "GET", "uri": uri},
                    "status": {"code": 200, "message": "OK"},
                    "recorded_at": self.retrieved,
                    "body": body,
                    MARKER: True,
                }
            )
            max_id = body[-1]["id"]
        self.day = []


def make_writer(fmt: str, root: Path, compress: str, pools: Pools, random: Any) -> _Writer:
    cls = {"x-v2": XWriter, "bluesky": BlueskyWriter, "mastodon": MastodonWriter}[fmt]
    return cls(root, compress, pools, random)
