"""Reddit things: checked on real oauth.reddit.com responses recorded by PRAW (2014–2019).

The fixtures keep the recorded-response envelope; `records()` unwraps `body` and splits
JSON arrays itself, the way the reader does. Expected values were read off the fixture
files by hand (epoch seconds converted with date arithmetic, noted next to each).
Fields the 2016 responses lack (`author_fullname`, galleries, crossposts, Reddit video)
are added to copies of real records, and the tests say so.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from radsocial.models import Post
from radsocial.sources import Context, NormalizeError
from radsocial.sources.reddit import RedditFormat

FIX = Path(__file__).parent.parent / "fixtures" / "reddit"
fmt = RedditFormat()


def records(name: str) -> list[Any]:
    body = json.loads((FIX / name).read_text(encoding="utf-8"))["body"]
    return body if isinstance(body, list) else [body]


def posts_of(obj: Any, **ctx: Any) -> list[Post]:
    assert fmt.sniff(obj)
    return fmt.normalize(obj, Context(**ctx))


def by_id(posts: list[Post]) -> dict[str, Post]:
    return {p.platform_id: p for p in posts}


def count_kind(obj: Any, kind: str) -> int:
    """Things of `kind` anywhere in a JSON value (independent of the importer's walk)."""
    n = 0
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, dict):
            n += o.get("kind") == kind
            stack.extend(o.values())
        elif isinstance(o, list):
            stack.extend(o)
    return n


def hot() -> dict[str, Post]:
    (listing,) = records("TestFront.test_hot__1.json")
    return by_id(posts_of(listing))


# --------------------------------------------------------------------------- submissions


def test_self_post_exact_values() -> None:
    submission, _comments = records("TestSubmission.test_comments__1.json")
    (p,) = posts_of(submission)
    assert p.platform == "reddit"
    assert p.platform_id == "t3_2gmzqe"
    # created_utc 1410935671 = 2014-09-17 (16330 days = 1410912000) + 23671 s (06:34:31)
    assert p.created_at == datetime(2014, 9, 17, 6, 34, 31, tzinfo=UTC)
    assert p.url == (
        "https://www.reddit.com/r/redditdev/comments/2gmzqe/praw_https_enabled_praw_testing_needed/"
    )
    assert p.text.startswith(
        "[PRAW] HTTPS enabled PRAW testing needed\n\nPRAW client developers,\n\n"
        "I have made a PRAW branch to test using only HTTPS over the API."
    )
    assert p.text.endswith("would be ideal. Thanks!")
    assert p.kind == "original"
    assert p.author_handle == "bboe"
    assert p.author_id is None and p.author is None  # no author_fullname in 2016 responses
    assert p.lang is None
    assert p.hashtags == ()
    assert p.links == ("https://github.com/praw-dev/praw/issues",)  # git:// is no web link
    assert p.media == ()
    assert p.conversation_id == "t3_2gmzqe"
    assert (p.likes, p.replies, p.reposts) == (11, 2, None)
    assert p.extras == {
        "subreddit": "redditdev",
        "subreddit_id": "t5_2qizd",
        "over_18": False,
        "score": 11,
        "domain": "self.redditdev",
        "is_self": True,
        "upvote_ratio": 0.84,
    }


def test_front_page_listing() -> None:
    (listing,) = records("TestFront.test_hot__1.json")
    posts = posts_of(listing)
    assert len(posts) == 16 == count_kind(listing, "t3")
    assert all(p.kind == "original" for p in posts)
    assert all(p.url and p.url.startswith("https://www.reddit.com/r/") for p in posts)


def test_image_post_is_media_not_link() -> None:
    p = hot()["t3_48dxvx"]
    assert p.text == "My game cam finally caught something cool."
    # created_utc 1456798125 = 2016-03-01 (16861 days = 1456790400) + 7725 s (02:08:45)
    assert p.created_at == datetime(2016, 3, 1, 2, 8, 45, tzinfo=UTC)
    (m,) = p.media
    assert (m.type, m.url) == ("image", "http://i.imgur.com/NFOb0VK.jpg")
    assert m.key == "CkKlO2ycZtRMIzptazl8ZEFnk91hC4ZTeERvcoQ7B9c"  # preview image id
    assert p.links == ()
    assert (p.likes, p.replies) == (6710, 1022)
    assert p.extras["subreddit"] == "pics"
    assert p.extras["domain"] == "i.imgur.com"


def test_link_post_with_flair() -> None:
    p = hot()["t3_48duo3"]
    assert p.links == (
        "http://www.independent.co.uk/news/people/fox-news-host-bill-o-reilly-loses-custody-of-"
        "his-children-after-alleged-domestic-violence-incident-a6904336.html",
    )
    assert p.media == ()
    assert p.extras["link_flair_text"] == "Misleading article headline"
    assert p.author_handle == "Sariel007"


def test_embedded_video_is_a_link() -> None:
    p = hot()["t3_48d25k"]  # post_hint rich:video (imgur gifv)
    assert p.links == ("http://i.imgur.com/ucEt7ka.gifv",)
    assert p.media == ()


def test_self_posts_text_links_and_mentions() -> None:
    posts = hot()
    joke = posts["t3_48dgl4"]
    # created_utc 1456791546 = 1456790400 + 1146 s (00:19:06)
    assert joke.created_at == datetime(2016, 3, 1, 0, 19, 6, tzinfo=UTC)
    assert joke.text == "What do you call a Communist sniper?\n\nA Marxman."
    assert joke.links == ()
    title_only = posts["t3_48b1ll"]  # selftext "": text is the title alone
    assert title_only.text.startswith("Considering how there's no traces of humans in the film")
    assert "\n" not in title_only.text
    eli5 = posts["t3_48dp7m"]  # "[this documentary](https://www.youtube.com/watch?v=...)"
    assert eli5.links == ("https://www.youtube.com/watch?v=QB3cRTRvV_0",)
    jfk = posts["t3_48a0uy"]  # "...thanks /u/deadlyrabbits", "http://imgur.com/Uce3LF8"
    assert jfk.mentions == ("deadlyrabbits",)
    assert jfk.links == ("http://imgur.com/Uce3LF8",)
    assert jfk.extras["link_flair_text"] == "Image Gallery"


def test_nsfw_and_wikipedia_link() -> None:
    posts = hot()
    assert posts["t3_489urr"].extras["over_18"] is True
    assert posts["t3_48dewp"].extras["over_18"] is True
    assert posts["t3_48dxvx"].extras["over_18"] is False
    assert posts["t3_48cj0d"].links == (
        "https://en.wikipedia.org/wiki/List_of_Asian_Academy_Award_winners_and_nominees#Best_Actor",
    )


def test_search_listing_non_english_and_permalink_query() -> None:
    (listing,) = records("TestSubreddit.test_search__1.json")
    posts = by_id(posts_of(listing))
    assert len(posts) == 6
    ja = posts["t3_4at068"]
    assert ja.text.startswith(
        "たびたび話題になるサイドバーの閲覧中ユーザ数について（また）調べた\n\n## tl;dr"
    )
    assert ja.lang is None  # Reddit gives no language
    # "[...](https://developer.mozilla.org/ja/docs/Tools/Page_Inspector)で閲覧中…": the URL
    # ends at ')' though Japanese text follows without a space
    assert "https://developer.mozilla.org/ja/docs/Tools/Page_Inspector" in ja.links
    assert not any("reddit.com/r/changelog/comments" in u for u in ja.links)  # posts
    # search results carry "?ref=search_posts" on the permalink; the url drops it
    assert ja.url == (
        "https://www.reddit.com/r/p18s/comments/4at068/"
        "たびたび話題になるサイドバーの閲覧中ユーザ数についてまた調べた/"
    )
    ua = posts["t3_3qc02b"]  # 'User-Agent":"flair finder v1.0 by /u/Doomhammer458"'
    assert ua.mentions == ("Doomhammer458",)
    assert ua.extras["link_flair_text"] == "new"


def test_new_listing_page_with_before_cursor() -> None:
    (listing,) = records("TestSubredditStreams.test_submissions__2.json")
    posts = by_id(posts_of(listing))
    assert list(posts) == ["t3_5jo144", "t3_5jo143", "t3_5jo141", "t3_5jo140"]
    assert posts["t3_5jo143"].media[0].url == "https://i.imgur.com/zxSSOAS.png"  # no hint


# --------------------------------------------------------------------------- comments


def test_comment_tree_walks_nested_replies() -> None:
    _, comments = records("TestSubmission.test_comments__1.json")
    posts = posts_of(comments)
    assert len(posts) == count_kind(comments, "t1") == 2
    top, nested = posts
    assert top.platform_id == "t1_cklfmye"
    assert top.kind == "reply"
    assert top.reply_to_id == "t3_2gmzqe"
    assert top.conversation_id == "t3_2gmzqe"
    # created_utc 1411005112 = 2014-09-18 (16331 days = 1410998400) + 6712 s (01:51:52)
    assert top.created_at == datetime(2014, 9, 18, 1, 51, 52, tzinfo=UTC)
    assert top.author_handle == "paneer_burrito"
    assert top.text.startswith("Quick question: I remember reading about an issue")
    # no permalink in 2016 comments: built from subreddit, link id and comment id
    assert top.url == "https://www.reddit.com/r/redditdev/comments/2gmzqe/_/cklfmye/"
    assert nested.platform_id == "t1_cklhv0f"
    assert nested.reply_to_id == "t1_cklfmye"
    assert nested.conversation_id == "t3_2gmzqe"
    # created_utc 1411010034 = 1410998400 + 11634 s (03:13:54)
    assert nested.created_at == datetime(2014, 9, 18, 3, 13, 54, tzinfo=UTC)
    assert nested.text == (
        "Yes it does. That fix is also in the master branch, we just haven't made a release "
        "for it (and we probably won't until 3.0)."
    )
    assert nested.likes == 1
    assert nested.extras == {"subreddit": "redditdev", "subreddit_id": "t5_2qizd", "score": 1}


def test_api_info_comment() -> None:
    (listing,) = records("TestComment.test_attributes__1.json")
    (p,) = posts_of(listing)
    assert p.platform_id == "t1_cklhv0f"
    assert p.reply_to_id == "t1_cklfmye"


def t1(data: dict, replies: list[dict] | None = None) -> dict:
    data = copy.deepcopy(data)
    data["replies"] = (
        {"kind": "Listing", "data": {"children": replies, "after": None, "before": None}}
        if replies
        else ""
    )
    return {"kind": "t1", "data": data}


def test_deep_tree_with_more_stubs_and_reply_authors() -> None:
    # built from the real comment: ids, authors and author_fullname are invented
    _, comments = records("TestSubmission.test_comments__1.json")
    base = comments["data"]["children"][0]["data"]

    def c(cid: str, parent: str, author: str, kids: list[dict] | None = None) -> dict:
        d = dict(base, id=cid, name=f"t1_{cid}", parent_id=parent, author=author)
        d["author_fullname"] = f"t2_{author}"
        return t1(d, kids)

    more = {"kind": "more", "data": {"count": 7, "children": ["zz1", "zz2"], "id": "zz1"}}
    tree = [
        c("a", "t3_2gmzqe", "ann", [c("b", "t1_a", "bob", [c("c", "t1_b", "cat"), more])]),
        c("d", "t3_2gmzqe", "dan"),
        more,
    ]
    listing = {"kind": "Listing", "data": {"children": tree, "after": None, "before": None}}
    ctx = Context()
    posts = fmt.normalize(listing, ctx)
    assert [p.platform_id for p in posts] == ["t1_a", "t1_b", "t1_c", "t1_d"]  # depth-first
    assert len(posts) == count_kind(listing, "t1")
    assert [p.reply_to_author_id for p in posts] == [None, "t2_ann", "t2_bob", None]
    assert posts[1].author is not None
    assert (posts[1].author.account_id, posts[1].author.handle) == ("t2_bob", "bob")
    assert posts[1].author.url == "https://www.reddit.com/user/bob/"
    assert ctx.warnings == []  # `more` stubs are normal, skipped silently


def test_deleted_and_removed_comments() -> None:
    _, comments = records("TestSubmission.test_comments__1.json")
    base = comments["data"]["children"][0]["data"]
    gone = dict(base, author="[deleted]", body="[deleted]")
    removed = dict(base, id="x2", name="t1_x2", body="[removed]")
    posts = posts_of({"kind": "Listing", "data": {"children": [t1(gone), t1(removed)]}})
    assert [p.text for p in posts] == ["[deleted]", "[removed]"]
    assert posts[0].author_handle is None and posts[0].author is None
    assert posts[0].extras["deleted"] is True
    assert posts[1].author_handle == "paneer_burrito"
    assert posts[1].extras["deleted"] is True
    # an author who deleted the account but whose text stays: not marked deleted
    orphan = dict(base, author="[deleted]")
    (p,) = posts_of(t1(orphan))
    assert p.author_handle is None and "deleted" not in p.extras


def test_deleted_submission() -> None:
    submission, _ = records("TestSubmission.test_comments__1.json")
    d = dict(submission["data"]["children"][0]["data"], author="[deleted]", selftext="[removed]")
    (p,) = posts_of({"kind": "t3", "data": d})
    assert p.text == "[PRAW] HTTPS enabled PRAW testing needed\n\n[removed]"
    assert p.author_handle is None
    assert p.extras["deleted"] is True


# --------------------------------------------------------------------------- modern fields


def real_submission() -> dict:
    submission, _ = records("TestSubmission.test_comments__1.json")
    return copy.deepcopy(submission["data"]["children"][0]["data"])


def test_author_fullname_gives_account() -> None:
    d = real_submission()
    d["author_fullname"] = "t2_3k6pj"  # added: not in the 2016 response
    (p,) = posts_of({"kind": "t3", "data": d})
    assert p.author_id == "t2_3k6pj"
    assert p.author is not None and p.author.handle == "bboe"
    assert p.author.platform == "reddit"


def test_gallery_video_and_crosspost() -> None:
    d = real_submission()  # modern fields added to a real record
    d.update(
        is_self=False,
        selftext="",
        url="https://www.reddit.com/gallery/abc123",
        is_gallery=True,
        gallery_data={"items": [{"media_id": "m2", "caption": "axial CT"}, {"media_id": "m1"}]},
        media_metadata={
            "m1": {"e": "Image", "s": {"u": "https://preview.redd.it/m1.png?width=640&amp;s=x"}},
            "m2": {"e": "AnimatedImage", "s": {"gif": "https://i.redd.it/m2.gif"}},
        },
    )
    (p,) = posts_of({"kind": "t3", "data": d})
    assert [(m.type, m.url, m.alt, m.key) for m in p.media] == [
        ("animated_gif", "https://i.redd.it/m2.gif", "axial CT", "m2"),
        ("image", "https://preview.redd.it/m1.png?width=640&s=x", None, "m1"),
    ]
    assert p.links == ()  # the gallery link is Reddit's own

    v = real_submission()
    v.update(
        is_self=False,
        selftext="",
        is_video=True,
        url="https://v.redd.it/xyz",
        secure_media={"reddit_video": {"fallback_url": "https://v.redd.it/xyz/DASH_720.mp4"}},
    )
    (p,) = posts_of({"kind": "t3", "data": v})
    assert [(m.type, m.url) for m in p.media] == [("video", "https://v.redd.it/xyz/DASH_720.mp4")]
    assert p.links == ()

    x = real_submission()
    x.update(crosspost_parent="t3_abcdef", num_crossposts=3, is_self=False, selftext="")
    x["url"] = "/r/radiology/comments/abcdef/some_case/"
    (p,) = posts_of({"kind": "t3", "data": x})
    assert p.kind == "quote"
    assert p.quote_of_id == "t3_abcdef"
    assert p.reposts == 3
    assert p.links == ()
    # the original embedded in crosspost_parent_list is emitted too, like a quoted post
    original = dict(real_submission(), id="abcdef", name="t3_abcdef", title="The case")
    x["crosspost_parent_list"] = [original]
    p, orig = posts_of({"kind": "t3", "data": x})
    assert (orig.platform_id, orig.kind, orig.text.split("\n")[0]) == (
        "t3_abcdef",
        "original",
        "The case",
    )


def test_bare_thing_and_pushshift_style_dump() -> None:
    _, comments = records("TestSubmission.test_comments__1.json")
    data = comments["data"]["children"][0]["data"]
    (p,) = posts_of({"kind": "t1", "data": dict(data, replies="")})
    assert p.platform_id == "t1_cklfmye"
    # dumps write a thing's data alone, often without `name`
    dump = {k: v for k, v in data.items() if k not in ("name", "replies")}
    (q,) = posts_of(dump)
    assert q.platform_id == "t1_cklfmye"
    assert q.reply_to_id == "t3_2gmzqe"
    sub = {k: v for k, v in real_submission().items() if k != "name"}
    (s,) = posts_of(sub)
    assert s.platform_id == "t3_2gmzqe"


def test_mention_rules() -> None:
    d = real_submission()
    d["selftext"] = (
        "thanks u/Ann_1 and /u/bob-2, not reddit.com/u/carol, not ju/dave, "
        "not u/x (too short), again u/Ann_1."
    )
    (p,) = posts_of({"kind": "t3", "data": d})
    assert p.mentions == ("Ann_1", "bob-2")


# --------------------------------------------------------------------------- sniff / errors


def test_sniff() -> None:
    submission, comments = records("TestSubmission.test_comments__1.json")
    assert fmt.sniff(submission) and fmt.sniff(comments)
    assert fmt.sniff({"kind": "more", "data": {"children": []}})
    (accounts,) = records("TestRedditors.test_search__1.json")  # a Listing of t2 accounts
    assert fmt.sniff(accounts)
    assert fmt.normalize(accounts, Context()) == []
    # not Reddit: a list, Mastodon, X v2, X v1.1, Bluesky post view, Jetstream
    assert not fmt.sniff([submission])
    assert not fmt.sniff({"kind": "Listing", "data": "x"})
    assert not fmt.sniff({"kind": "t2", "data": {}})
    assert not fmt.sniff(
        {
            "id": "1",
            "uri": "https://m.example/users/a/statuses/1",
            "content": "<p>x</p>",
            "created_at": "2024-01-01T00:00:00Z",
            "account": {"acct": "a"},
        }
    )
    assert not fmt.sniff({"data": {"id": "1", "text": "hi"}})
    assert not fmt.sniff({"created_at": "Thu Apr 09 01:31:50 +0000 2015", "id_str": "1"})
    assert not fmt.sniff({"uri": "at://did:plc:x/app.bsky.feed.post/3k", "record": {}})
    assert not fmt.sniff({"did": "did:plc:x", "time_us": 1, "kind": "commit", "commit": {}})


def test_normalize_errors() -> None:
    d = real_submission()
    del d["created_utc"]
    with pytest.raises(NormalizeError, match="t3_2gmzqe has no created_utc"):
        fmt.normalize({"kind": "t3", "data": d}, Context())
    d = real_submission()
    del d["name"], d["id"]
    with pytest.raises(NormalizeError, match="neither name nor id"):
        fmt.normalize({"kind": "t3", "data": d}, Context())
    d = real_submission()
    d["created_utc"] = "soon"
    with pytest.raises(NormalizeError, match="unreadable created_utc"):
        fmt.normalize({"kind": "t3", "data": d}, Context())
    with pytest.raises(NormalizeError, match="no data object"):
        fmt.normalize({"kind": "t3", "data": None}, Context())
    with pytest.raises(NormalizeError, match="expected a Reddit JSON object"):
        fmt.normalize([], Context())


def test_through_the_real_reader() -> None:
    from tests.helpers import normalize_file

    posts = normalize_file(fmt, FIX / "TestSubmission.test_comments__1.json")
    assert [p.platform_id for p in posts] == ["t3_2gmzqe", "t1_cklfmye", "t1_cklhv0f"]
