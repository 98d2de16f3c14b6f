"""X API v2: pages, stream lines, flattened tweets — checked on real twarc2 payloads."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from radsocial.sources import Context, NormalizeError
from radsocial.sources.x_v1 import XV1Format
from radsocial.sources.x_v2 import XV2Format
from tests.helpers import FIXTURES, by_id, normalize_file

TWARC = FIXTURES / "x" / "twarc"
fmt = XV2Format()


def test_media_tweet_exact_values() -> None:
    posts = by_id(normalize_file(fmt, TWARC / "media_tweet.jsonl"))
    assert list(posts) == ["1558553189766631429"]
    p = posts["1558553189766631429"]
    assert p.created_at == datetime(2022, 8, 13, 20, 36, 51, tzinfo=UTC)
    assert p.author_handle == "IgorBrigadir"
    assert p.text == "She's GOING with it! 🐍 https://t.co/uXqSAGWkWJ"
    assert p.kind == "original"
    assert [m.type for m in p.media] == ["video"]
    assert p.links == ()  # the t.co link is the attached video itself
    assert p.likes == 93
    assert p.author is not None and p.author.followers == 3560
    assert p.url == "https://twitter.com/IgorBrigadir/status/1558553189766631429"


def test_retweet_is_its_own_post_and_original_is_stored() -> None:
    posts = by_id(normalize_file(fmt, TWARC / "mentions_tweet.jsonl"))
    rt = posts["1589681856941002753"]
    orig = posts["1589671906718134272"]
    assert rt.kind == "repost" and rt.repost_of_id == orig.platform_id
    assert rt.author_handle == "BaldManGamer" and orig.author_handle == "S3NT1N3L17"
    # The retweet shows the original's full text and carries its entities.
    assert rt.text == "RT @S3NT1N3L17: " + orig.text
    assert rt.hashtags == orig.hashtags == ("Xbox", "PlayStation", "gaming")
    assert rt.mentions[0] == "S3NT1N3L17"
    assert set(orig.mentions) <= set(rt.mentions)


def test_reply_and_quote_ids() -> None:
    posts = by_id(normalize_file(fmt, TWARC / "quoted_edit.jsonl"))
    p = posts["1576995594388000768"]
    assert p.kind == "reply"
    assert p.reply_to_id == "1576994789110992896"
    assert p.quote_of_id == "1576994746135764992"
    assert {"1576994746135764992", "1576994789110992896"} <= set(posts)


def test_stream_lines_keep_matching_rules_and_bad_line_is_reported() -> None:
    from radsocial.sources.reader import iter_json_records

    records = list(iter_json_records(TWARC / "streaming_output_with_error.jsonl"))
    assert [r.line for r in records if r.error] == [8]
    assert "malformed JSON" in (records[-1].error or "")
    first = fmt.normalize(records[0].value, Context())
    assert first[0].platform_id == "1377650090978992134"
    assert first[0].extras["matching_rules"] == ["1377649934414049282"]


def test_flattened_tweets() -> None:
    posts = normalize_file(fmt, TWARC / "flat-first20.jsonl")
    assert len({p.platform_id for p in posts}) >= 20
    assert all(p.author_handle for p in posts)


def test_pages_without_tweets_yield_accounts_or_notes() -> None:
    users = orjson.loads((TWARC / "users.jsonl").read_bytes().splitlines()[0])
    ctx = Context()
    assert fmt.sniff(users)
    assert fmt.normalize(users, ctx) == []
    assert len(ctx.accounts) == len(users["data"])
    assert all(a.handle for a in ctx.accounts)
    counts = orjson.loads((TWARC / "counts.jsonl").read_bytes().splitlines()[0])
    ctx = Context()
    assert fmt.normalize(counts, ctx) == [] and "nothing to import" in ctx.warnings[0]


def test_api_errors_are_noted_not_fatal() -> None:
    line = (TWARC / "withheld.jsonl").read_bytes().splitlines()[2]
    ctx = Context()
    posts = fmt.normalize(orjson.loads(line), ctx)
    assert posts
    assert any("Not Found Error" in w for w in ctx.warnings)


def test_created_at_from_snowflake_when_missing() -> None:
    body = orjson.loads((FIXTURES / "x/tweepy/v2_test_client_get_tweets__0.json").read_bytes())
    page = body["body"]
    assert "created_at" not in page["data"][0]
    p = fmt.normalize(page, Context())[0]
    # (id >> 22) + 1288834974657 ms
    expected_ms = (int(p.platform_id) >> 22) + 1288834974657
    assert p.created_at == datetime.fromtimestamp(expected_ms / 1000, UTC)


def test_html_entities_are_unescaped() -> None:
    page = orjson.loads((FIXTURES / "x/twitwi/alternative-payload-v2.json").read_bytes())
    p = by_id(fmt.normalize(page, Context()))["1483109887861301249"]
    assert p.text.startswith("Cancer, Virgo, Libra & Capricorn")


def test_sniff_tells_formats_apart() -> None:
    v1 = orjson.loads((FIXTURES / "x/twitwi/normalization.json").read_bytes())[0]["source"]
    v2 = orjson.loads((FIXTURES / "x/twitwi/payload-v2.json").read_bytes())
    assert fmt.sniff(v2) and not fmt.sniff(v1)
    assert XV1Format().sniff(v1) and not XV1Format().sniff(v2)
    assert not fmt.sniff({"uri": "at://x", "record": {}})
    assert not fmt.sniff([1, 2])


def test_tweet_without_time_or_text_is_rejected_clearly() -> None:
    with pytest.raises(NormalizeError, match="no text"):
        fmt.normalize(
            {"data": [{"id": "1558553189766631429", "edit_history_tweet_ids": []}]}, Context()
        )
    with pytest.raises(NormalizeError, match="created_at"):
        fmt.normalize({"data": [{"id": "12", "text": "old"}]}, Context())
