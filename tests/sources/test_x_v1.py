"""X API v1.1 statuses: search envelopes, timelines, extended tweets, users."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from radsocial.sources import Context
from radsocial.sources.x_v1 import XV1Format
from tests.helpers import FIXTURES, by_id, normalize_file

fmt = XV1Format()
TWEEPY = FIXTURES / "x" / "tweepy"


def test_search_envelope() -> None:
    posts = normalize_file(fmt, TWEEPY / "v1.1_testsearchtweets__0.json")
    body = orjson.loads((TWEEPY / "v1.1_testsearchtweets__0.json").read_bytes())["body"]
    top = {s["id_str"] for s in body["statuses"]}
    assert top <= {p.platform_id for p in posts}
    assert all(p.created_at.tzinfo is UTC for p in posts)


def test_retweet_with_extended_original() -> None:
    pairs = orjson.loads((FIXTURES / "x/twitwi/normalization.json").read_bytes())
    statuses = [p["source"] for p in pairs]
    rts = [s for s in statuses if s.get("retweeted_status")]
    assert rts, "fixture has retweets"
    s = rts[0]
    posts = by_id(fmt.normalize(s, Context()))
    rt = posts[s["id_str"]]
    orig = posts[s["retweeted_status"]["id_str"]]
    assert rt.kind == "repost" and rt.repost_of_id == orig.platform_id
    assert rt.text == f"RT @{orig.author_handle}: {orig.text}"


def test_status_timestamp_and_user_snapshot() -> None:
    status = orjson.loads((TWEEPY / "v1.1_testgetstatus__0.json").read_bytes())["body"]
    p = fmt.normalize(status, Context())[-1]
    assert p.platform_id == status["id_str"]
    assert p.created_at == datetime.strptime(status["created_at"], "%a %b %d %H:%M:%S %z %Y")
    assert p.author is not None
    assert p.author.followers == status["user"]["followers_count"]
    assert p.author.handle == status["user"]["screen_name"]


def test_user_objects_become_accounts() -> None:
    users = orjson.loads((FIXTURES / "x/twitwi/api-users-v1.json").read_bytes())
    for u in users:
        ctx = Context()
        assert fmt.sniff(u)
        fmt.normalize(u, ctx)
        assert ctx.accounts[0].account_id == u["id_str"]


def test_stream_control_messages_yield_nothing() -> None:
    msg = {"delete": {"status": {"id": 1, "id_str": "1", "user_id": 3, "user_id_str": "3"}}}
    assert fmt.sniff(msg)
    assert fmt.normalize(msg, Context()) == []


def test_hashtags_read_from_text_when_entities_are_missing() -> None:
    pairs = orjson.loads((FIXTURES / "x/twitwi/normalization.json").read_bytes())
    s = next(
        p["source"]
        for p in pairs
        if p["source"]["id_str"] == "1529111439562223616" and p["source"].get("full_text")
    )
    (p,) = fmt.normalize(s, Context())
    assert p.hashtags == ("AFP",)
