"""UCI "Health News in Twitter" lines — checked on verbatim slices of the real files.

The fixtures (tests/fixtures/uci, see SOURCE.md there) keep the real files' bytes: a
cp1252 file full of 0x85 bytes and CRLF endings (wsjhealth), a UTF-8 CRLF file whose last
line has no newline (bbchealth) and a UTF-8 LF file with an emoji holding a 0x85 byte
(gdnhealthcare).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from radsocial.models import Post
from radsocial.sources import Context, TextItem, get_format
from radsocial.sources.base import text_hashtags, text_links, text_mentions
from radsocial.sources.reader import head_text, iter_lines
from radsocial.sources.uci import UciHealthNewsFormat, decode_line, entities, parse_line
from tests.helpers import FIXTURES

UCI = FIXTURES / "uci"
fmt = UciHealthNewsFormat()


def read(path: Path, options: dict | None = None) -> tuple[list[TextItem], Context]:
    ctx = Context(source=str(path), options=options or {})
    with open(path, "rb") as f:
        items = list(fmt.read(iter_lines(f, path), ctx))
    return items, ctx


def read_bytes(data: bytes, source: str = "bbchealth.txt") -> tuple[list[TextItem], Context]:
    ctx = Context(source=source)
    lines = data.split(b"\n")
    pairs = [(i, line + b"\n") for i, line in enumerate(lines[:-1], 1)]
    if lines[-1]:
        pairs.append((len(lines), lines[-1]))
    return list(fmt.read(iter(pairs), ctx)), ctx


def posts_of(items: list[TextItem], options: dict | None = None) -> dict[str, Post]:
    out: dict[str, Post] = {}
    for it in items:
        assert it.error is None, f"line {it.line}: {it.error}"
        for p in fmt.normalize(it.value, Context(options=options or {})):
            out[p.platform_id] = p
    return out


# ----------------------------------------------------------------------- lines & bytes
@pytest.mark.parametrize(
    ("name", "rows"), [("wsjhealth.txt", 200), ("bbchealth.txt", 150), ("gdnhealthcare.txt", 100)]
)
def test_exact_line_count(name: str, rows: int) -> None:
    items, _ = read(UCI / name)
    assert len(items) == rows
    assert [it.line for it in items] == list(range(1, rows + 1))
    assert all(it.error is None for it in items)


def test_nel_bytes_do_not_split_lines() -> None:
    raw = (UCI / "wsjhealth.txt").read_bytes()
    assert raw.count(b"\x85") == 107
    # The trap: decoded as Latin-1, 0x85 is U+0085 (NEL) and str.splitlines breaks there.
    assert len(raw.decode("latin-1").splitlines()) > 200
    items, _ = read(UCI / "wsjhealth.txt")
    assert len(items) == 200


def test_cp1252_lines_read_as_cp1252_and_reported_once() -> None:
    items, ctx = read(UCI / "wsjhealth.txt")
    line2 = items[1]
    assert line2.value["line"].endswith("via @WS…")
    assert line2.value["encoding"] == "cp1252"
    assert orjson.loads(line2.payload) == line2.value
    assert items[0].value.get("encoding") is None  # plain ASCII line: UTF-8
    assert ctx.warnings == [
        "line 2 is not valid UTF-8: read as cp1252 (later such lines are not reported)"
    ]


def test_utf8_line_with_0x85_byte_inside_an_emoji() -> None:
    items, ctx = read(UCI / "gdnhealthcare.txt")
    line44 = items[43]
    assert line44.line == 44
    assert "encoding" not in line44.value
    assert line44.value["line"].endswith("Genuinely. 😃🎄🎅")
    assert ctx.warnings == []


def test_crlf_stripped_and_last_line_without_newline() -> None:
    items, _ = read(UCI / "bbchealth.txt")
    assert not any(it.value["line"].endswith(("\r", "\n")) for it in items)
    posts = posts_of(items)
    last = posts["384569546108964864"]
    assert last.text == "C. diff 'manslaughter' inquiry call http://bbc.in/18DY3Mv"
    assert last.created_at == datetime(2013, 9, 30, 6, 44, 59, tzinfo=UTC)


def test_bom_and_blank_lines_are_skipped() -> None:
    data = (
        b"\xef\xbb\xbf390633922494619648|Thu Oct 17 00:22:39 +0000 2013|UK autism cases\r\n"
        b"\r\n   \n"
        b"390633921593217024|Thu Oct 17 00:22:39 +0000 2013|The hyena treatment\n"
    )
    items, _ = read_bytes(data)
    assert [it.line for it in items] == [1, 4]
    assert [it.error for it in items] == [None, None]


# ----------------------------------------------------------------------- bad lines
def test_malformed_lines_become_error_items_and_reading_goes_on() -> None:
    good = (UCI / "bbchealth.txt").read_bytes().split(b"\n")[:3]
    bad = [
        b"just some text without separators\r",
        b"390633922494619648|Thu Oct 17 00:22:39 +0000 2013 no second pipe\r",
        b"12ab|Thu Oct 17 00:22:39 +0000 2013|text\r",
        b"390633922494619648|Thu Foo 17 00:22:39 +0000 2013|text\r",
    ]
    data = b"\n".join([good[0], *bad, good[1], good[2]]) + b"\n"
    items, _ = read_bytes(data)
    assert [it.line for it in items] == [1, 2, 3, 4, 5, 6, 7]
    errors = {it.line: it for it in items if it.error}
    assert sorted(errors) == [2, 3, 4, 5]
    for n, it in errors.items():
        assert it.error is not None and it.error.startswith("expected tweet_id|created_at|text")
        assert it.payload == bad[n - 2] + b"\n"  # verbatim bytes, for the quarantine
    assert "found no '|'" in errors[2].error  # type: ignore[operator]
    assert "found only one '|'" in errors[3].error  # type: ignore[operator]
    assert "'12ab' is not a number" in errors[4].error  # type: ignore[operator]
    assert "'Thu Foo 17 00:22:39 +0000 2013' is unreadable" in errors[5].error  # type: ignore[operator]
    assert len(posts_of([it for it in items if not it.error])) == 3


def test_odd_but_valid_line_is_accepted() -> None:
    # A short (pre-snowflake) id and a non-UTC offset miss the fast pattern but parse.
    data = b"12345|Thu Oct 17 02:22:39 +0200 2013|old tweet|with a pipe in the text\n"
    items, _ = read_bytes(data)
    (p,) = posts_of(items).values()
    assert p.platform_id == "12345"
    assert p.created_at == datetime(2013, 10, 17, 0, 22, 39, tzinfo=UTC)
    assert p.text == "old tweet|with a pipe in the text"


# ----------------------------------------------------------------------- values
def test_manual_retweet_hand_checked() -> None:
    items, _ = read(UCI / "wsjhealth.txt")
    p = posts_of(items)["548544344777834496"]
    assert p.platform == "x"
    assert p.created_at == datetime(2014, 12, 26, 18, 22, 17, tzinfo=UTC)
    assert p.text == (
        "RT @lizrhoffman: J&J, Gilead among healthcare companies flush with cash. "
        "Another blockbuster M&A year ahead? http://on.wsj.com/144DH2Q via @WS…"
    )
    assert p.kind == "original"  # an "RT @" text is not a native repost
    assert p.repost_of_id is None
    assert p.extras["manual_rt"] is True
    assert p.extras["rt_of"] == "lizrhoffman"
    assert p.extras["truncated"] is True
    assert p.mentions == ("lizrhoffman",)  # "@WS…" is a fragment cut at 140 characters
    assert p.links == ("http://on.wsj.com/144DH2Q",)
    assert p.author_id is None
    assert p.author_handle == "wsjhealth"
    assert p.url == "https://twitter.com/wsjhealth/status/548544344777834496"
    assert p.author is not None
    assert (p.author.platform, p.author.account_id, p.author.handle) == (
        "x",
        "@wsjhealth",
        "wsjhealth",
    )


def test_original_post_hand_checked() -> None:
    items, _ = read(UCI / "gdnhealthcare.txt")
    p = posts_of(items)["546962239983734784"]
    assert p.created_at == datetime(2014, 12, 22, 9, 35, 34, tzinfo=UTC)
    assert p.text == (
        "Controversial plan to delay dispatch of ambulances put on hold after backlash, "
        "via @guardian http://gu.com/p/44ayc/stw #NHS"
    )
    assert p.hashtags == ("NHS",)
    assert p.mentions == ("guardian",)
    assert p.links == ("http://gu.com/p/44ayc/stw",)
    assert p.kind == "original"
    assert "manual_rt" not in p.extras
    assert p.author_handle == "gdnhealthcare"


def test_truncated_url_is_not_a_link() -> None:
    items, _ = read(UCI / "wsjhealth.txt")
    p = posts_of(items)["548532620817358848"]
    assert p.text.endswith("Faces of the ACA. http://t…")
    assert p.links == ()


def test_account_option_overrides_the_file_name() -> None:
    items, ctx = read(UCI / "bbchealth.txt", {"account": "BBCHealth"})
    p = posts_of(items)["390633922494619648"]
    assert p.author_handle == "BBCHealth"
    assert p.author is not None and p.author.account_id == "@bbchealth"
    assert p.url == "https://twitter.com/BBCHealth/status/390633922494619648"
    assert ctx.warnings == []


def test_file_name_that_is_not_a_handle_is_reported() -> None:
    data = (UCI / "bbchealth.txt").read_bytes()[:200]
    _, ctx = read_bytes(data, source="/data/Health-Tweets/KaiserHealthNews.txt")
    assert ctx.warnings and "'KaiserHealthNews'" in ctx.warnings[0]


def test_id_time_wins_over_a_disagreeing_created_at() -> None:
    # Real line (everydayhealth.txt:2387): the id's time is 27 s after created_at.
    line = b"293444175234490368|Mon Jan 21 19:44:51 +0000 2013|More Teen Girls Postponing #Sex http://bit.ly/IVnz8b\n"
    items, _ = read_bytes(line, source="everydayhealth.txt")
    ctx = Context()
    (p,) = fmt.normalize(items[0].value, ctx)
    assert p.created_at == datetime(2013, 1, 21, 19, 45, 17, 962000, tzinfo=UTC)
    assert len(ctx.warnings) == 1 and "disagrees with the time in its id" in ctx.warnings[0]
    # Lines whose times agree (to the second) leave no note.
    ctx2 = Context()
    items, _ = read(UCI / "bbchealth.txt")
    fmt.normalize(items[0].value, ctx2)
    assert ctx2.warnings == []


# ----------------------------------------------------------------------- contract
@pytest.mark.parametrize("name", ["wsjhealth.txt", "bbchealth.txt", "gdnhealthcare.txt"])
def test_renormalize_round_trip(name: str) -> None:
    options = {"account": "someone"} if name == "bbchealth.txt" else {}
    items, _ = read(UCI / name, options)
    for it in items:
        first = fmt.normalize(it.value, Context(options=options))
        again = fmt.normalize(fmt.decode(it.payload), Context(options=options))
        assert again == first
        # The payload alone is enough: the account is stored in it.
        assert fmt.normalize(fmt.decode(it.payload), Context()) == first


def test_sniff() -> None:
    for name in ("wsjhealth.txt", "bbchealth.txt", "gdnhealthcare.txt"):
        path = UCI / name
        assert fmt.sniff_text(head_text(path), str(path))
    assert not fmt.sniff_text("id,text,created_at\n1,a,b\n", "x.csv")
    assert not fmt.sniff_text('{"id": "1"}\n', "x.jsonl")
    assert not fmt.sniff_text("", "empty.txt")
    # One good line then garbage: not this format.
    assert not fmt.sniff_text(
        "390633922494619648|Thu Oct 17 00:22:39 +0000 2013|a\nnot a tweet line\nmore\n", "x.txt"
    )


def test_registered() -> None:
    assert isinstance(get_format("uci-health-news"), UciHealthNewsFormat)
    assert fmt.kind == "text" and fmt.platform == "x"


def test_helpers() -> None:
    assert decode_line(b"a\x85b\r\n") == ("a…b", True)
    assert decode_line("é".encode() + b"\n") == ("é", False)
    tid, created, text = parse_line("1|Thu Apr 09 01:31:50 +0000 2015|a|b")
    assert (tid, created, text) == ("1", datetime(2015, 4, 9, 1, 31, 50, tzinfo=UTC), "a|b")


def test_fast_entities_match_the_shared_helpers() -> None:
    for name in ("wsjhealth.txt", "bbchealth.txt", "gdnhealthcare.txt"):
        items, _ = read(UCI / name)
        for it in items:
            text = parse_line(it.value["line"])[2].replace("&amp;", "&")
            if "…" in text:
                continue  # fragments before a final "…" are dropped on purpose
            assert entities(text) == (text_hashtags(text), text_mentions(text), text_links(text))
    assert entities("a #Ｘ ＃full and ＠wide @narrow HTTP://X.ORG/a.") == (
        text_hashtags("a #Ｘ ＃full and ＠wide @narrow HTTP://X.ORG/a."),
        text_mentions("a #Ｘ ＃full and ＠wide @narrow HTTP://X.ORG/a."),
        text_links("a #Ｘ ＃full and ＠wide @narrow HTTP://X.ORG/a."),
    )
