"""Mastodon statuses: checked on real Mastodon 4.x responses recorded by Mastodon.py.

The fixtures keep the recorded-response envelope; `records()` unwraps `body` and splits
JSON arrays itself, the way the reader does, so these tests do not depend on it.
Expected values were read off the fixture files by hand.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from radsocial.models import Post
from radsocial.sources import Context, NormalizeError
from radsocial.sources.mastodon import MastodonFormat, _convert, html_to_text

FIX = Path(__file__).parent.parent / "fixtures" / "mastodon"
fmt = MastodonFormat()

LOCAL = "http://localhost:3000"
ADMIN = f"{LOCAL}/@admin"
TEST2 = f"{LOCAL}/@mastodonpy_test_2"


def records(name: str) -> list[Any]:
    body = json.loads((FIX / name).read_text(encoding="utf-8"))["body"]
    return body if isinstance(body, list) else [body]


def one(name: str) -> dict:
    recs = records(name)
    assert len(recs) == 1
    return recs[0]


def posts_of(obj: Any, **ctx: Any) -> list[Post]:
    assert fmt.sniff(obj)
    return fmt.normalize(obj, Context(**ctx))


def status_uri(account_id: str, status_id: str) -> str:
    return f"{LOCAL}/ap/users/{account_id}/statuses/{status_id}"


# --------------------------------------------------------------------------- exact values


def test_reply_exact_values() -> None:
    (p,) = posts_of(one("test_status_reply__2.json"))
    assert p.platform == "mastodon"
    assert p.platform_id == status_uri("117020565693913441", "117020583258292382")
    assert p.url == f"{LOCAL}/@admin/117020583258292382"
    assert p.created_at == datetime(2026, 8, 1, 13, 53, 15, 910000, tzinfo=UTC)
    assert p.text == "@mastodonpy_test_2 same!"
    assert p.lang == "en"
    assert p.kind == "reply"
    assert p.author_id == ADMIN
    assert p.author_handle == "admin@localhost:3000"
    assert p.mentions == ("mastodonpy_test_2@localhost:3000",)
    assert p.links == ()  # the mention link is not a link
    # the parent is not in the payload: its local id on the serving instance, which a
    # local author reveals (acct "admin" has no '@')
    assert p.reply_to_id == f"{LOCAL}/api/v1/statuses/117020583245459824"
    assert p.reply_to_author_id == TEST2  # in_reply_to_account_id found in mentions[]
    assert p.conversation_id is None  # the thread root is unknown outside a context
    assert p.extras["id"] == "117020583258292382"
    assert p.extras["instance"] == "localhost:3000"
    assert p.extras["in_reply_to_id"] == "117020583245459824"
    assert p.extras["visibility"] == "public"
    assert (p.likes, p.reposts, p.replies, p.quotes) == (0, 0, 0, 0)
    a = p.author
    assert a is not None
    assert a.platform == "mastodon"
    assert a.account_id == ADMIN
    assert a.handle == "admin@localhost:3000"
    assert a.name is None  # display_name ""
    assert a.bio is None  # note ""
    assert (a.followers, a.following, a.posts_count) == (0, 0, 5)
    assert a.verified is None
    assert a.created_at == datetime(2026, 8, 1, tzinfo=UTC)
    assert a.url == ADMIN
    assert a.observed_at is None


def test_original_status_and_account_bio() -> None:
    (p,) = posts_of(one("test_status_reply__0.json"))
    assert p.platform_id == status_uri("117020566092212359", "117020583245459824")
    assert p.kind == "original"
    assert p.text == "Toot, finally!"
    assert p.reply_to_id is None
    assert p.conversation_id == p.platform_id
    assert p.author_handle == "mastodonpy_test_2@localhost:3000"


def test_observed_at_from_context() -> None:
    when = datetime(2026, 8, 2, 9, 0, tzinfo=UTC)
    (p,) = posts_of(one("test_status_reply__0.json"), received_at=when)
    assert p.author is not None and p.author.observed_at == when


def test_home_timeline_entities_mentions_and_poll() -> None:
    recs = records("test_home_tl__1.json")
    assert len(recs) == 13
    posts = [p for r in recs for p in posts_of(r)]
    assert len(posts) == 13
    by_id = {p.extras["id"]: p for p in posts}
    # "<p>you can&#39;t say that on television</p>"
    assert by_id["117020592137523525"].text == "you can't say that on television"
    # "<p><span class="h-card" ...><a ... class="u-url mention">@<span>mastodonpy_test</span>
    #  </a></span> beep beep I&#39;m a jeep</p>"
    jeep = by_id["117020588169351887"]
    assert jeep.text == "@mastodonpy_test beep beep I'm a jeep"
    assert jeep.mentions == ("mastodonpy_test@localhost:3000",)
    assert jeep.links == ()
    direct = by_id["117020588315335369"]
    assert direct.extras["visibility"] == "direct"
    poll = by_id["117020582721532745"]
    assert poll.text == "nice"
    assert poll.extras["poll"] == {
        "options": [
            {"title": "four twenty", "votes_count": 0},
            {"title": "sixty-nine", "votes_count": 1},
        ],
        "votes_count": 1,
        "voters_count": 1,
        "multiple": False,
        "expires_at": "2026-08-01T13:58:07.715Z",
    }
    assert {p.author_handle for p in posts} == {
        "admin@localhost:3000",
        "mastodonpy_test@localhost:3000",
    }


def test_poll_on_creation() -> None:
    (p,) = posts_of(one("test_polls__0.json"))
    assert [o["title"] for o in p.extras["poll"]["options"]] == ["four twenty", "sixty-nine"]
    assert p.extras["poll"]["multiple"] is True


def test_edited_status_and_non_english_language() -> None:
    (p,) = posts_of(one("test_status_edit__3.json"))
    assert p.text == "the best editor? why, of course it is the KDE Advanced Text Editor, Kate"
    assert p.extras["edited_at"] == "2026-08-01T13:54:00.695Z"
    assert p.created_at == datetime(2026, 8, 1, 13, 54, 0, 505000, tzinfo=UTC)  # not the edit
    assert p.lang == "ja"  # as the server tagged it (Mastodon.py posts with language="ja")


def test_edit_history_is_not_a_status() -> None:
    # /history returns StatusEdit objects: no uri/url/id, so they are no posts
    for rec in records("test_status_edit__4.json"):
        assert not fmt.sniff(rec)


def test_public_timeline_has_the_edited_status() -> None:
    posts = [p for r in records("test_public_tl__2.json") for p in posts_of(r)]
    assert len(posts) == 8
    edited = [p for p in posts if "edited_at" in p.extras]
    assert [p.extras["id"] for p in edited] == ["117020586180926938"]


def test_hashtag_status() -> None:
    (p,) = posts_of(one("test_hashtag_tl__2.json"))
    # <a href="http://localhost:3000/tags/hoot" class="mention hashtag" rel="tag">#<span>hoot
    assert p.text == "#hoot (hashtag toot)"
    assert p.hashtags == ("hoot",)
    assert p.links == ()


def test_media_attachment() -> None:
    (p,) = posts_of(one("test_media_post[True]__2.json"))
    assert p.text == "LOL check this out"
    (m,) = p.media
    assert m.type == "video"
    assert m.url == (
        f"{LOCAL}/system/media_attachments/files/117/020/575/776/246/986/original/"
        "eeff5cc9d35a00aa.mp4"
    )
    assert m.alt == "me when a cat"
    assert m.key == "117020575776246986"
    assert p.extras["sensitive"] is True


def test_link_with_invisible_spans_and_card() -> None:
    (p,) = posts_of(one("test_status_card__1.json"))
    # <a href="http://example.org/"><span class="invisible">http://</span>
    # <span class="">example.org/</span><span class="invisible"></span></a>
    assert p.text == "example.org/"
    assert p.links == ("http://example.org/",)  # content link and card.url, once


def test_reblog_emits_repost_and_original() -> None:
    posts = posts_of(one("test_status_reblog_unreblog__1.json"))
    assert [p.kind for p in posts] == ["repost", "original"]
    repost, orig = posts
    orig_uri = status_uri("117020565966271181", "117020586019094258")
    assert repost.platform_id == status_uri("117020565966271181", "117020586027094262") + (
        "/activity"
    )
    assert repost.text == ""
    assert repost.repost_of_id == orig_uri
    assert repost.created_at == datetime(2026, 8, 1, 13, 53, 58, 160000, tzinfo=UTC)
    assert repost.author_handle == "mastodonpy_test@localhost:3000"
    assert repost.likes is None and repost.reposts is None  # the wrapper's zeros mean nothing
    assert orig.platform_id == orig_uri
    assert orig.text == "Toot!"
    assert orig.reposts == 1
    assert orig.created_at == datetime(2026, 8, 1, 13, 53, 58, 36000, tzinfo=UTC)
    assert orig.author is not None and orig.author.bio == "I walk funny"
    assert orig.author.name == "John Lennon"


def test_quote_emits_quote_and_quoted() -> None:
    posts = posts_of(one("test_status_post_with_quote__1.json"))
    assert [p.kind for p in posts] == ["quote", "original"]
    quote, quoted = posts
    assert quote.platform_id == status_uri("117020565966271181", "117020582925004921")
    assert quote.quote_of_id == status_uri("117020565966271181", "117020582917124092")
    assert quoted.platform_id == quote.quote_of_id
    # the "RE: <link>" paragraph (p.quote-inline) is a fallback clients hide
    assert quote.text == "yoooooooo"
    assert quote.links == ()
    assert quote.extras["quote_state"] == "accepted"
    assert quoted.text == "Toot!"
    assert quoted.quotes == 1


def test_shallow_quote_uses_local_id() -> None:
    # a quoted status's own quote comes as ShallowQuote {state, quoted_status_id}
    s = copy.deepcopy(one("test_status_reply__0.json"))
    s["quote"] = {"state": "accepted", "quoted_status_id": "117020582917124092"}
    (p,) = posts_of(s)
    assert p.kind == "quote"
    assert p.quote_of_id == f"{LOCAL}/api/v1/statuses/117020582917124092"


def test_notification_status_and_unread_count() -> None:
    (n,) = records("test_notifications__1.json")
    assert n["type"] == "mention"
    (p,) = posts_of(n)
    assert p.platform_id == status_uri("117020565693913441", "117020576916218297")
    assert p.text == "@mastodonpy_test hello!"
    follow = {k: v for k, v in n.items() if k != "status"} | {"type": "follow"}
    assert posts_of(follow) == []
    assert not fmt.sniff(one("test_notifications__3.json"))  # {"count": ...}


def test_conversations_last_status_reply_author() -> None:
    convs = records("test_conversations__2.json")
    posts = [p for c in convs for p in posts_of(c)]
    assert len(posts) == 2
    reply = posts[1]
    assert reply.kind == "reply"
    assert reply.text == "@mastodonpy_test pssssst!"
    assert reply.reply_to_id == f"{LOCAL}/api/v1/statuses/117020588315335369"
    assert reply.reply_to_author_id == f"{LOCAL}/@mastodonpy_test"


def test_instance_option_and_request_url_give_the_serving_host() -> None:
    s = copy.deepcopy(one("test_status_reply__2.json"))
    (p,) = fmt.normalize(s, Context(options={"instance": "rad.example"}))
    assert p.reply_to_id == "https://rad.example/api/v1/statuses/117020583245459824"
    assert p.extras["instance"] == "rad.example"
    src = "GET https://rad.example/api/v1/timelines/home"
    (p,) = fmt.normalize(s, Context(source=src))
    assert p.reply_to_id == "https://rad.example/api/v1/statuses/117020583245459824"


def remote(s: dict) -> dict:
    """A copy of a status as another instance would serve it (remote author)."""
    s = copy.deepcopy(s)
    s["account"]["acct"] = s["account"]["username"] + "@mastodon.example"
    s["account"]["url"] = "https://mastodon.example/@" + s["account"]["username"]
    s["uri"] = "https://mastodon.example/users/admin/statuses/1"
    s["url"] = "https://mastodon.example/@admin/1"
    for m in s.get("mentions", []):
        m["acct"] = m["username"] + "@mastodon.example"
        m["url"] = "https://mastodon.example/@" + m["username"]
    return s


def test_remote_reply_without_instance_keeps_local_id_and_warns() -> None:
    s = remote(one("test_status_reply__2.json"))
    ctx = Context()
    (p,) = fmt.normalize(s, ctx)
    assert p.author_handle == "admin@mastodon.example"
    assert p.author_id == "https://mastodon.example/@admin"
    assert p.mentions == ("mastodonpy_test_2@mastodon.example",)
    assert p.kind == "reply"
    assert p.reply_to_id is None  # a bare local id would not be unique
    assert p.extras["in_reply_to_id"] == "117020583245459824"
    assert "instance" not in p.extras
    assert len(ctx.warnings) == 1 and "instance=HOST" in ctx.warnings[0]


def test_context_envelope_resolves_parent_uri_and_root() -> None:
    root = one("test_status_reply__0.json")
    reply = one("test_status_reply__2.json")
    focal_child = copy.deepcopy(reply)  # answers the focal status, absent from the payload
    focal_child["id"] = "117020583258299999"
    focal_child["uri"] = status_uri("117020565693913441", "117020583258299999")
    focal_child["in_reply_to_id"] = "117020599999999999"
    ctx_obj = {"ancestors": [root], "descendants": [reply, focal_child]}
    posts = posts_of(ctx_obj)
    assert [p.kind for p in posts] == ["original", "reply", "reply"]
    assert posts[1].reply_to_id == root["uri"]  # the parent is in the payload: its uri
    assert posts[1].reply_to_author_id == TEST2
    assert posts[2].reply_to_id == f"{LOCAL}/api/v1/statuses/117020599999999999"
    assert {p.conversation_id for p in posts} == {root["uri"]}
    assert fmt.normalize(one("test_status_context__1.json"), Context()) == []


def test_search_envelope() -> None:
    res = one("test_search__0.json")
    assert fmt.sniff(res)
    assert fmt.normalize(res, Context()) == []  # this search found accounts only
    res = copy.deepcopy(res)
    res["statuses"] = [one("test_status_reply__0.json"), one("test_hashtag_tl__2.json")]
    posts = posts_of(res)
    assert [p.text for p in posts] == ["Toot, finally!", "#hoot (hashtag toot)"]


def test_streaming_update_sse_and_websocket() -> None:
    lines = (FIX / "test_stream_user_local__5.txt").read_text(encoding="utf-8").splitlines()
    assert "event: update" in lines
    data = next(line for line in lines if line.startswith("data: "))[6:]
    status = orjson.loads(data)
    (p,) = posts_of(status)
    assert p.platform_id == status_uri("117020617404561855", "117024248092393661")
    assert p.text == "it's cool guy"
    assert p.created_at == datetime(2026, 8, 2, 5, 25, 16, 840000, tzinfo=UTC)
    # the same event as the WebSocket API sends it: payload is a JSON string
    for event in ("update", "status.update"):
        msg = {"stream": ["user"], "event": event, "payload": data}
        (q,) = posts_of(msg)
        assert q == p
    assert posts_of({"stream": ["user"], "event": "delete", "payload": "1"}) == []


# --------------------------------------------------------------------------- HTML to text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("", ""),
        ("<p>a &amp; b &lt;3 &quot;q&quot; caf&eacute; &#39;x&#39;</p>", "a & b <3 \"q\" café 'x'"),
        ("<p>one<br>two<br />three</p><p>para</p>", "one\ntwo\nthree\n\npara"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<p>a</p><p></p><p>b</p>", "a\n\nb"),
        ("<p>a<br></p><p>b</p>", "a\n\nb"),
        (
            '<p><a href="https://example.com/a/very/long/path/cut" rel="nofollow noopener">'
            '<span class="invisible">https://</span><span class="ellipsis">example.com/a/very/'
            'long</span><span class="invisible">/path/cut</span></a> end</p>',
            "example.com/a/very/long… end",
        ),
        (
            '<p>Hi <span class="h-card"><a href="https://mastodon.social/@Gargron" '
            'class="u-url mention">@<span>Gargron</span></a></span> #<span>x</span></p>',
            "Hi @Gargron #x",
        ),
        (
            "<blockquote><p>q</p></blockquote><ul><li>1</li><li>2</li></ul><p>z</p>",
            "q\n\n1\n2\n\nz",
        ),
        ("plain &amp; text", "plain & text"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("<p>x<!-- c --> y</p>", "x y"),  # a comment: the HTMLParser fallback
        ("<p class='single'>quoted</p>", "quoted"),  # unquoted/single-quoted attributes too
        ("<p>日本語のテキスト</p>", "日本語のテキスト"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
    assert _convert(html, parser=True)[0] == text  # the stdlib HTMLParser path agrees


def test_regex_and_parser_paths_agree_on_every_fixture_html() -> None:
    seen = 0
    for path in FIX.glob("*.json"):
        stack: list[Any] = [json.loads(path.read_text(encoding="utf-8"))]
        while stack:
            o = stack.pop()
            if isinstance(o, dict):
                for k, v in o.items():
                    if k in ("content", "note") and isinstance(v, str):
                        assert _convert(v) == _convert(v, parser=True), v
                        seen += 1
                    else:
                        stack.append(v)
            elif isinstance(o, list):
                stack.extend(o)
    assert seen > 50


def test_links_exclude_mentions_hashtags_and_status_links() -> None:
    s = copy.deepcopy(one("test_status_reply__0.json"))
    s["content"] = (
        '<p><a href="https://rad.example/tags/Radiology" class="mention hashtag" rel="tag">'
        '#<span>Radiology</span></a> <span class="h-card"><a href="https://x.example/@bob" '
        'class="u-url mention">@<span>bob</span></a></span> '
        '<a href="https://pubs.rsna.org/doi/10.1148/radiol.2021" rel="nofollow noopener">'
        '<span class="invisible">https://</span><span class="ellipsis">pubs.rsna.org/doi/10.1'
        '</span><span class="invisible">148/radiol.2021</span></a> '
        '<a href="https://mastodon.social/@alice/111222333">post</a></p>'
    )
    s["tags"] = [{"name": "radiology", "url": "https://rad.example/tags/radiology"}]
    s["mentions"] = [
        {"id": "9", "username": "bob", "acct": "bob@x.example", "url": "https://x.example/@bob"}
    ]
    s["spoiler_text"] = "CT images"
    (p,) = posts_of(s)
    assert p.links == ("https://pubs.rsna.org/doi/10.1148/radiol.2021",)
    assert p.hashtags == ("Radiology",)  # as written in the text; tags[] has "radiology"
    assert p.mentions == ("bob@x.example",)
    # the content warning comes first, as clients show it; also kept apart in extras
    assert p.text == "CT images\n\n#Radiology @bob pubs.rsna.org/doi/10.1… post"
    assert p.extras["spoiler_text"] == "CT images"


# --------------------------------------------------------------------------- sniff / errors


def test_sniff_negative() -> None:
    assert not fmt.sniff(one("test_account__1.json"))  # an Account
    assert not fmt.sniff(one("test_account_pinned__6.json"))  # DELETE: `text`, no content
    assert not fmt.sniff([one("test_status_reply__0.json")])
    assert not fmt.sniff("text")
    # X API v2, X v1.1, Bluesky post view, Jetstream, Reddit
    assert not fmt.sniff({"data": {"id": "1", "text": "hi"}, "includes": {}})
    assert not fmt.sniff(
        {"created_at": "Thu Apr 09 01:31:50 +0000 2015", "id_str": "1", "text": "t", "user": {}}
    )
    assert not fmt.sniff(
        {
            "uri": "at://did:plc:x/app.bsky.feed.post/3k",
            "cid": "b",
            "author": {"did": "did:plc:x"},
            "record": {"text": "t", "createdAt": "2024-01-01T00:00:00Z"},
            "indexedAt": "2024-01-01T00:00:00Z",
        }
    )
    assert not fmt.sniff({"did": "did:plc:x", "time_us": 1, "kind": "commit", "commit": {}})
    assert not fmt.sniff({"kind": "Listing", "data": {"children": []}})
    assert not fmt.sniff({"kind": "t3", "data": {"id": "x", "created_utc": 1}})


def test_sniff_positive_shapes() -> None:
    assert fmt.sniff(one("test_status_reply__0.json"))
    assert fmt.sniff({"ancestors": [], "descendants": []})
    assert fmt.sniff({"accounts": [], "statuses": [], "hashtags": []})
    assert fmt.sniff({"accounts": [], "statuses": [], "notification_groups": []})
    assert fmt.sniff(records("test_conversations__2.json")[0])
    assert fmt.sniff(records("test_notifications__1.json")[0])
    assert fmt.sniff({"stream": ["public"], "event": "update", "payload": "{}"})


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("created_at", "has no created_at"),
        ("account", "has no account"),
        ("content", "has no content"),
    ],
)
def test_normalize_errors(drop: str, message: str) -> None:
    s = copy.deepcopy(one("test_status_reply__0.json"))
    del s[drop]
    with pytest.raises(NormalizeError, match=message) as e:
        fmt.normalize(s, Context())
    assert "117020583245459824" in str(e.value)  # names the status


def test_normalize_errors_other_shapes() -> None:
    s = copy.deepcopy(one("test_status_reply__0.json"))
    del s["uri"], s["url"]
    with pytest.raises(NormalizeError, match="no uri or url"):
        fmt.normalize(s, Context())
    s = copy.deepcopy(one("test_status_reply__0.json"))
    s["created_at"] = "yesterday"
    with pytest.raises(NormalizeError, match="unreadable timestamp"):
        fmt.normalize(s, Context())
    with pytest.raises(NormalizeError, match="not a Mastodon status"):
        fmt.normalize({"count": 0}, Context())
    with pytest.raises(NormalizeError, match="deleted-status"):
        fmt.normalize(one("test_account_pinned__6.json"), Context())
    with pytest.raises(NormalizeError, match="not JSON"):
        fmt.normalize({"event": "update", "payload": "{oops"}, Context())


def test_through_the_real_reader() -> None:
    from tests.helpers import normalize_file

    posts = normalize_file(fmt, FIX / "test_status_post_with_quote__1.json")
    assert [p.kind for p in posts] == ["quote", "original"]
