"""CSV exports by preset — real twarc-csv output and grfiv Topsy files, plus hand-made
examples with the real headers of CrowdTangle, Meta Content Library and LinkedIn
exports (tests/fixtures/csv/SOURCE.md says which is which)."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from radsocial.models import Post
from radsocial.sources import Context, TextItem, get_format
from radsocial.sources.base import NormalizeError
from radsocial.sources.csv import (
    PRESETS,
    CsvFormat,
    detect_preset,
    validate_mapping,
)
from radsocial.sources.reader import head_text, iter_lines
from tests.helpers import FIXTURES

CSV = FIXTURES / "csv"
fmt = CsvFormat()
MAPPING = tomllib.loads((CSV / "custom-mapping.toml").read_text())


def read(path: Path, options: dict[str, Any] | None = None) -> tuple[list[TextItem], Context]:
    ctx = Context(source=str(path), options=options or {})
    with open(path, "rb") as f:
        items = list(fmt.read(iter_lines(f, path), ctx))
    return items, ctx


def read_bytes(
    data: bytes, options: dict[str, Any] | None = None
) -> tuple[list[TextItem], Context]:
    ctx = Context(source="test.csv", options=options or {})
    lines = data.split(b"\n")
    pairs = [(i, line + b"\n") for i, line in enumerate(lines[:-1], 1)]
    if lines[-1]:
        pairs.append((len(lines), lines[-1]))
    return list(fmt.read(iter(pairs), ctx)), ctx


def normalize_all(
    items: list[TextItem], options: dict[str, Any] | None = None
) -> tuple[dict[str, Post], Context]:
    ctx = Context(options=options or {})
    out: dict[str, Post] = {}
    for it in items:
        assert it.error is None, f"line {it.line}: {it.error}"
        for p in fmt.normalize(it.value, ctx):
            out[p.platform_id] = p
    return out, ctx


def header_of(path: Path, skip: int = 0) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        for _ in range(skip):
            next(rows)
        return next(rows)


def start_lines(path: Path) -> list[int]:
    """The line each data row starts on, by the stdlib csv reader's own count."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        starts, prev = [], 0
        for _row in reader:
            starts.append(prev + 1)
            prev = reader.line_num
    return starts[1:]


# ----------------------------------------------------------------------- detection
@pytest.mark.parametrize(
    ("name", "preset", "skip"),
    [
        ("twarc-brexit-50.csv", "twarc-csv", 0),
        ("twarc-no-process-entities.csv", "twarc-csv", 0),
        ("grfiv-Tweets_CancerChat_full.csv", "grfiv-topsy", 0),
        ("grfiv-bigtweet_file002-head.csv", "grfiv-processed", 0),
        ("crowdtangle-facebook.csv", "crowdtangle", 0),
        ("crowdtangle-instagram.csv", "crowdtangle", 0),
        ("meta-content-library-facebook.csv", "meta-content-library", 0),
        ("meta-content-library-instagram.csv", "meta-content-library", 0),
        ("linkedin-page.csv", "linkedin-page", 1),
    ],
)
def test_preset_auto_detection(name: str, preset: str, skip: int) -> None:
    path = CSV / name
    assert detect_preset(header_of(path, skip)) == preset
    assert fmt.sniff_text(head_text(path), str(path))
    items, _ = read(path)
    assert items and all(it.error is None for it in items)
    assert {it.value["preset"] for it in items} == {preset}


def test_sniff_rejects_other_files() -> None:
    assert not fmt.sniff_text((CSV / "custom-mapping.csv").read_text(), "custom-mapping.csv")
    assert not fmt.sniff_text(
        "390633922494619648|Thu Oct 17 00:22:39 +0000 2013|UK autism cases\n", "bbchealth.txt"
    )
    assert not fmt.sniff_text("", "empty.csv")
    assert get_format("csv") is not None and fmt.kind == "text"


def test_semicolon_delimited_export_is_read() -> None:
    text = (CSV / "linkedin-page.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    out = "\n".join(";".join(f'"{c}"' if ";" in c else c for c in r) for r in rows) + "\n"
    items, _ = read_bytes(out.encode())
    assert [it.error for it in items] == [None, None, None]
    assert {it.value["preset"] for it in items} == {"linkedin-page"}


# ----------------------------------------------------------------------- twarc-csv
def test_twarc_csv_real_output() -> None:
    items, _ctx = read(CSV / "twarc-brexit-50.csv")
    assert len(items) == 50
    assert [it.line for it in items] == list(range(2, 52))
    every = [p for it in items for p in fmt.normalize(it.value, Context())]
    # 50 rows + the originals of the 30 merged retweets (some retweeted more than once)
    assert len(every) == 80
    assert Counter(p.kind for p in every) == {"original": 38, "repost": 30, "reply": 8, "quote": 4}
    posts, _ = normalize_all(items)
    assert len(posts) == 70
    p = posts["1440716895355764743"]
    assert p.created_at == datetime(2021, 9, 22, 16, 37, 29, tzinfo=UTC)
    assert p.text.endswith('leader.\n\nTypical "centrists". No principles.')  # "\n" unescaped
    assert p.hashtags == ("PeoplesVote", "Brexit")
    assert p.author_id == "4203239195" and p.author_handle == "WarmongerHodges"
    assert p.author is not None
    assert (p.author.followers, p.author.following, p.author.posts_count) == (34920, 3552, 108443)
    assert p.author.bio is not None and "\n\n#VoteNIP" in p.author.bio
    assert p.author.observed_at == datetime(2021, 9, 22, 16, 38, 9, tzinfo=UTC)
    assert (p.likes, p.reposts, p.replies, p.quotes) == (0, 0, 0, 0)
    assert p.extras == {"source": "Twitter Web App"}


def test_twarc_csv_merged_retweet_gives_the_original_too() -> None:
    posts, _ = normalize_all(read(CSV / "twarc-brexit-50.csv")[0])
    rt = posts["1440716856763977732"]
    assert rt.kind == "repost" and rt.repost_of_id == "1440713161355583489"
    assert rt.author_handle == "jacquip537"
    assert rt.text.startswith("RT @carolJhedges: . #BorisJohnson has revealed")
    assert rt.mentions == ("carolJhedges",)
    assert rt.links == ()  # the only URL is the original's photo
    assert rt.likes is None and rt.extras["metrics_on_original"] is True
    orig = posts["1440713161355583489"]
    assert orig.author_id == "711945679" and orig.author_handle == "carolJhedges"
    assert orig.created_at == datetime(2021, 9, 22, 16, 22, 39, 480000, tzinfo=UTC)  # from its id
    assert (orig.likes, orig.reposts, orig.replies) == (20, 22, 1)
    assert orig.text == rt.text.removeprefix("RT @carolJhedges: ")
    assert [m.key for m in orig.media] == ["3_1440712838427799560"]


def test_twarc_csv_reply_and_quote() -> None:
    posts, _ = normalize_all(read(CSV / "twarc-brexit-50.csv")[0])
    reply = posts["1440716745577140229"]
    assert reply.kind == "reply"
    assert reply.reply_to_id == "1440621713281093641"
    assert reply.reply_to_author_id == "1717521084"
    assert reply.conversation_id == "1440621713281093641"
    assert [(m.type, m.key) for m in reply.media] == [("animated_gif", "16_1440716736051830786")]
    quote = posts["1440715975020584960"]
    assert quote.kind == "quote" and quote.quote_of_id == "1440660748275834882"
    assert (
        quote.text
        == "And @AngelaRayner & #NicolaSturgeon blame #Brexit..🤣🤣🤣! https://t.co/XVlaGrnmko"
    )
    assert quote.mentions == ("AngelaRayner",)
    assert quote.links == ()  # the link to the quoted post is not a link


def test_twarc_csv_entity_objects_and_unmerged_retweets() -> None:
    # --no-process-entities: entities are JSON objects, not "#tag" strings.
    posts, _ = normalize_all(read(CSV / "twarc-no-process-entities.csv")[0])
    rt = posts["1589681856941002753"]
    assert rt.kind == "repost" and rt.author_handle == "BaldManGamer"
    assert rt.hashtags == ("Xbox", "PlayStation", "gaming")
    assert rt.mentions[:3] == ("S3NT1N3L17", "Xbox", "masseffect")
    assert rt.links == ()  # a link to the full tweet and a media link
    assert len(rt.media) == 4
    # --no-merge-retweets: the row is the retweet as the API gave it, counts included.
    posts, _ = normalize_all(read(CSV / "twarc-no-merge-retweets.csv")[0])
    assert len(posts) == 4
    rt2 = posts["1440716856763977732"]
    assert rt2.kind == "repost" and rt2.text.startswith("RT @carolJhedges: . #BorisJohnson")
    assert rt2.reposts == 22
    assert "1440713161355583489" not in posts


# ----------------------------------------------------------------------- grfiv
def test_grfiv_topsy_tweetchat_with_embedded_newlines() -> None:
    path = CSV / "grfiv-Tweets_CancerChat_full.csv"
    items, _ = read(path)
    assert len(items) == 156
    assert [it.line for it in items] == start_lines(path)  # rows spanning lines keep their start
    assert items[6].line == 11  # the row before it spans lines 7–10
    posts, _ctx = normalize_all(items)
    assert len(posts) == 156
    assert sum("manual_rt" in p.extras for p in posts.values()) == 101
    assert all(p.kind == "original" for p in posts.values())
    p = posts["474597519729491968"]
    assert p.author_handle == "iumedschool"
    assert p.created_at == datetime(2014, 6, 5, 17, 4, 0, 956000, tzinfo=UTC)  # from the id
    assert p.hashtags == ("VeraBradley", "BreastCancer", "breastcancerchat", "cancer", "cancerchat")
    assert p.links == ("http://t.co/QWv42KZsHe",)
    assert p.reposts == 0
    assert p.author is not None and p.author.followers == 3988
    assert p.author.bio is not None and p.author.bio.startswith(
        "Indiana University School of Medicine"
    )


def test_grfiv_row_whose_id_is_the_retweeted_original() -> None:
    posts, ctx = normalize_all(read(CSV / "grfiv-Tweets_CancerChat_full.csv")[0])
    p = posts["479692101274591232"]  # the permalink's tweet, not the `id` column's
    assert p.author_handle == "rachelmanning11"
    assert p.text.startswith("RT @hellboy8700: “@debecca: I'm hosting a discussion")
    assert p.extras["rt_of_id"] == "479690013513629696"
    assert p.extras["rt_of"] == "hellboy8700"
    assert p.mentions[0] == "hellboy8700"
    assert p.reposts is None and p.extras["rt_retweet_count"] == 1
    assert p.author is not None and p.author.bio is None  # the bio is the original author's
    assert "479690013513629696" not in posts
    described = {a.handle: a for a in ctx.accounts}
    assert described["hellboy8700"].bio is not None
    assert described["hellboy8700"].bio.startswith("Family, friends & the little things")


def test_grfiv_crlf_file_with_crlf_inside_a_quoted_field() -> None:
    path = CSV / "grfiv-Tweets_Cholera_full-head.csv"
    items, _ = read(path)
    assert len(items) == 90
    assert [it.line for it in items] == start_lines(path)
    posts, _ = normalize_all(items)
    p = posts["473344077090816000"]
    assert p.author is not None and p.author.bio is not None
    assert p.author.bio.startswith("A hundred years from now it will not matter the sort\nof house")
    assert not any(p.text.endswith("\r") for p in posts.values())


def test_grfiv_processed_file() -> None:
    posts, ctx = normalize_all(read(CSV / "grfiv-bigtweet_file002-head.csv")[0])
    assert len(posts) == 40
    p = posts["418728368637362176"]
    assert p.text == (
        "FDA Approves Imbruvica for Mantle Cell Lymphoma http://t.co/ybnmaAVCPJ\n"
        " #bloodcancer #Imburvica #lymphoma"
    )
    assert p.author is not None
    assert (p.author.handle, p.author.name, p.author.followers, p.author.verified) == (
        "letlifehappen",
        "Barbara Jacoby",
        15491,
        False,
    )
    assert p.extras["afinn_sentiment"] == 2 and p.likes == 0 and p.reposts == 1
    reply = posts["419915099588296704"]
    assert reply.kind == "reply" and reply.extras["in_reply_to_screen_name"] == "rsm2800"
    renamed = posts["419887561977262080"]
    assert renamed.author_handle == "Primary_Immune"
    assert renamed.extras["user_screen_name"] == "Primary_Immune1"
    rt = posts["418861798738374656"]
    assert rt.extras["rt_of_id"] == "418121179077935104"
    assert [a.handle for a in ctx.accounts] == ["LurieCancer"]


# ----------------------------------------------------------------------- CrowdTangle
def test_crowdtangle_facebook() -> None:
    items, _ = read(CSV / "crowdtangle-facebook.csv")
    assert [it.line for it in items] == [2, 4, 5]  # the first post's Message spans two lines
    posts, _ = normalize_all(items)
    p = posts["100000000000001_200000000000001"]
    assert p.platform == "facebook"
    assert p.created_at == datetime(2021, 3, 22, 11, 30, tzinfo=UTC)  # 07:30 EDT
    assert p.text.startswith("New guidance on #BreastCancer screening with #AI is out.\nRead")
    assert p.hashtags == ("BreastCancer", "AI")
    assert p.likes == 1034  # all reactions: 1,000 likes + 20 love + 4 wow + ...
    assert p.extras["reactions"]["like"] == 1000
    assert (p.replies, p.reposts, p.views) == (120, 80, None)
    assert p.extras["total_interactions"] == 1234
    assert p.extras["overperforming_score"] == 2.1
    assert p.links[0] == "https://example.org/news/screening-ai?utm_source=facebook"
    assert p.author is not None
    assert (p.author.account_id, p.author.handle, p.author.name, p.author.followers) == (
        "100000000000001",
        "ExampleRadSoc",
        "Example Radiology Society",
        13100,
    )
    winter = posts["100000000000001_200000000000002"]
    assert winter.created_at == datetime(2021, 1, 15, 23, 5, 9, tzinfo=UTC)  # 18:05:09 EST
    assert winter.links == () and [m.type for m in winter.media] == ["photo"]
    video = posts["100000000000001_200000000000003"]
    assert video.views == 1079 and video.media[0].type == "video"
    assert video.author is not None and video.author.followers == 12520  # N/A: page likes


def test_crowdtangle_instagram() -> None:
    posts, _ = normalize_all(read(CSV / "crowdtangle-instagram.csv")[0])
    p = posts["CExample001"]
    assert p.platform == "instagram"
    assert p.created_at == datetime(2021, 3, 22, 13, 41, 59, tzinfo=UTC)
    assert p.mentions == ("example.physicist",)
    assert p.hashtags == ("radiology", "CT")
    assert (p.likes, p.replies, p.views) == (53, 2, 2035)
    assert p.author is not None and p.author.account_id == "@example.imaging"
    assert p.author.followers == 9581
    assert posts["CExample002"].views is None  # an album: no video views


def test_crowdtangle_time_zone_unknown_is_an_error_naming_the_column() -> None:
    data = (
        (CSV / "crowdtangle-instagram.csv").read_bytes().replace(b"13:41:59 UTC", b"13:41:59 XYZ")
    )
    items, _ = read_bytes(data)
    assert items[0].error is not None
    assert "'Post Created'" in items[0].error and "'XYZ'" in items[0].error
    assert [it.error for it in items[1:]] == [None, None]


# ----------------------------------------------------------------------- Meta Content Library
def test_meta_content_library_facebook() -> None:
    posts, _ = normalize_all(read(CSV / "meta-content-library-facebook.csv")[0])
    p = posts["900000000000001"]
    assert p.platform == "facebook"
    assert p.created_at == datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)
    assert (p.likes, p.reposts, p.replies, p.views) == (186, 25, 14, 4200)
    assert p.links == ("https://example.org/news/screening-ai",)
    assert p.author is not None and p.author.handle == "ExampleRadSoc"
    share = posts["900000000000002"]
    assert share.kind == "repost" and share.repost_of_id == "900000000000001"
    assert share.extras["surface_name"] == "Radiology Residents Example Group"


def test_meta_content_library_instagram() -> None:
    posts, _ = normalize_all(read(CSV / "meta-content-library-instagram.csv")[0])
    p = posts["910000000000001"]
    assert p.platform == "instagram"
    assert p.hashtags == ("IR", "radiology")
    assert (p.likes, p.replies, p.views) == (1300, 42, 25000)
    epoch = posts["910000000000002"]
    assert epoch.created_at == datetime(2024, 2, 1, 18, 0, tzinfo=UTC)
    assert epoch.extras["is_branded_content"] is True


# ----------------------------------------------------------------------- LinkedIn
def test_linkedin_page_export_with_a_note_row() -> None:
    items, ctx = read(CSV / "linkedin-page.csv", {"account": "example-imaging"})
    assert [it.line for it in items] == [3, 4, 5]
    assert ctx.warnings == ["skipped 1 row(s) above the header on line 2"]
    posts, _ = normalize_all(items, {"account": "example-imaging"})
    p = posts["urn:li:activity:7150000000000000002"]
    assert p.platform == "linkedin"
    assert p.created_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert (p.views, p.likes, p.replies, p.reposts) == (12040, 120, 18, 9)
    assert p.extras["post_type"] == "Sponsored" and p.extras["ctr"] == 0.0257
    assert p.links == ("https://example.org/dose",)
    assert p.author_handle == "example-imaging"
    assert p.url == "https://www.linkedin.com/feed/update/urn:li:activity:7150000000000000002"


# ----------------------------------------------------------------------- user mapping
def test_user_mapping_from_toml() -> None:
    items, _ = read(CSV / "custom-mapping.csv", {"mapping": MAPPING})
    assert [it.line for it in items] == [2, 4, 5]
    posts, _ = normalize_all(items, {"mapping": MAPPING})
    p = posts["1001"]
    assert p.platform == "x"
    assert p.created_at == datetime(2023, 5, 1, 7, 15, tzinfo=UTC)  # 09:15 in Paris (CEST)
    assert p.text == "First post about #MRI safety, with a line break\nhere"
    assert p.hashtags == ("MRI", "safety") and p.likes == 12
    assert p.author_handle == "rad_one"
    assert posts["1002"].mentions == ("rad_one",)  # no column: found in the text
    assert posts["1002"].likes is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"platform": None}, "missing key 'platform'"),
        ({"platform": "myspace"}, "'platform' is 'myspace'"),
        ({"id": None}, "missing key 'id'"),
        ({"created_at": None}, "missing key 'created_at'"),
        ({"txt": "body"}, "unknown key(s) 'txt'"),
        ({"likes": 3}, "'likes' must be a column name"),
        ({"date_format": "YYYY-MM-DD"}, "'date_format' must be a strptime format"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_invalid_mapping_says_which_key(change: dict[str, Any], message: str) -> None:
    mapping = {k: v for k, v in {**MAPPING, **change}.items() if v is not None}
    with pytest.raises(NormalizeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_mapping(mapping)
    items, _ = read(CSV / "custom-mapping.csv", {"mapping": mapping})
    assert len(items) == 1 and items[0].error is not None and message in items[0].error


def test_mapping_column_missing_from_the_header() -> None:
    mapping = {**MAPPING, "likes": "favourites"}
    items, _ = read(CSV / "custom-mapping.csv", {"mapping": mapping})
    assert len(items) == 1
    assert items[0].line == 1
    assert items[0].error is not None
    assert "'favourites' (mapped to likes)" in items[0].error
    assert items[0].payload.startswith(b"tweet_id,date,body")


def test_mapping_date_not_matching_the_format() -> None:
    data = (CSV / "custom-mapping.csv").read_bytes().replace(b"2023-05-02 08:00:00", b"02/05/2023")
    items, _ = read_bytes(data, {"mapping": MAPPING})
    assert [it.error is None for it in items] == [True, True, False]
    assert items[2].line == 5
    assert "column 'date'" in items[2].error  # type: ignore[operator]
    assert "date_format '%Y-%m-%d %H:%M:%S'" in items[2].error  # type: ignore[operator]


# ----------------------------------------------------------------------- problems
def test_missing_required_column_rejects_the_file_once() -> None:
    path = CSV / "grfiv-Tweets_CancerChat_full.csv"
    data = path.read_bytes().replace(b",content,", b",tweet_text,", 1)
    items, _ = read_bytes(data, {"preset": "grfiv-topsy"})
    assert len(items) == 1
    assert items[0].line == 1
    assert items[0].error is not None
    assert items[0].error.startswith(
        "preset 'grfiv-topsy': the header lacks required column(s) 'content'"
    )
    # Without a preset: nothing recognises the header, also said once.
    items, _ = read_bytes(data)
    assert len(items) == 1 and "no CSV preset recognises this header" in items[0].error  # type: ignore[operator]


def test_unknown_preset_option() -> None:
    items, _ = read(CSV / "linkedin-page.csv", {"preset": "tiktok"})
    assert len(items) == 1 and "unknown preset 'tiktok'" in items[0].error  # type: ignore[operator]


def test_bad_rows_are_error_items_and_the_rest_is_read() -> None:
    lines = (CSV / "crowdtangle-instagram.csv").read_bytes().split(b"\n")
    header, row1, row2, row3 = lines[0], lines[1], lines[2], lines[3]
    short = b"Example Imaging Dept,example.imaging,9581"
    no_url = row2.replace(b"https://www.instagram.com/p/CExample002/", b"")
    bad_date = row3.replace(b"2021-03-25 19:07:38 UTC", b"yesterday")
    data = b"\n".join([header, row1, short, no_url, bad_date, row1.replace(b"001", b"009")]) + b"\n"
    items, _ = read_bytes(data)
    assert [it.line for it in items] == [2, 3, 4, 5, 6]
    errors = {it.line: it.error for it in items if it.error}
    assert sorted(errors) == [3, 4, 5]
    assert errors[3].startswith("row has 3 fields, the header has 17")  # type: ignore[union-attr]
    assert "empty 'URL'" in errors[4]  # type: ignore[operator]
    assert "column 'Post Created'" in errors[5] and "'yesterday'" in errors[5]  # type: ignore[operator]
    bad = next(it for it in items if it.line == 3)
    assert bad.payload == short + b"\n"  # verbatim, for the quarantine
    assert [it.error for it in items if it.line in (2, 6)] == [None, None]


def test_unbalanced_quote_swallows_rows_into_one_error_then_reading_goes_on() -> None:
    lines = (CSV / "custom-mapping.csv").read_bytes().split(b"\r\n")
    broken = lines[2].replace(b"Reply to", b'"Reply to')  # opening quote never closed
    data = b"\r\n".join([lines[0], broken, lines[3]]) + b"\r\n"
    items, _ = read_bytes(data, {"mapping": MAPPING})
    assert len(items) == 1 and items[0].line == 2 and items[0].error is not None
    assert items[0].payload == broken + b"\r\n" + lines[3] + b"\r\n"


def test_empty_id_names_the_column() -> None:
    data = (
        (CSV / "meta-content-library-instagram.csv")
        .read_bytes()
        .replace(b"\n910000000000002,", b"\n,")
    )
    items, _ = read_bytes(data)
    assert items[1].error == "meta-content-library: empty 'id': every row needs a post id"
    assert items[0].error is None


def test_cp1252_and_bom() -> None:
    lines = (CSV / "custom-mapping.csv").read_bytes().split(b"\r\n")
    cp = lines[3].replace(b"A third post", b"A third post\x85 caf\xe9")
    data = b"\xef\xbb\xbf" + b"\r\n".join([lines[0], lines[2], cp]) + b"\r\n"
    items, ctx = read_bytes(data, {"mapping": MAPPING})
    posts, _ = normalize_all(items, {"mapping": MAPPING})
    assert posts["1003"].text == "A third post… café"
    assert posts["1002"].text == "Reply to @rad_one"
    assert ctx.warnings == [
        "line 3 is not valid UTF-8: read as cp1252 (later such lines are not reported)"
    ]


# ----------------------------------------------------------------------- contract
ALL = [
    ("twarc-brexit-50.csv", {}),
    ("twarc-no-process-entities.csv", {}),
    ("twarc-no-merge-retweets.csv", {}),
    ("grfiv-Tweets_CancerChat_full.csv", {}),
    ("grfiv-Tweets_Cholera_full-head.csv", {}),
    ("grfiv-bigtweet_file002-head.csv", {}),
    ("crowdtangle-facebook.csv", {}),
    ("crowdtangle-instagram.csv", {"timezone": "America/New_York"}),
    ("meta-content-library-facebook.csv", {}),
    ("meta-content-library-instagram.csv", {"platform": "instagram"}),
    ("linkedin-page.csv", {"account": "example-imaging"}),
    ("custom-mapping.csv", {"mapping": MAPPING}),
]


@pytest.mark.parametrize(("name", "options"), ALL)
def test_renormalize_round_trip(name: str, options: dict[str, Any]) -> None:
    items, _ = read(CSV / name, options)
    assert items
    for it in items:
        assert it.error is None
        assert fmt.decode(it.payload) == it.value
        first = fmt.normalize(it.value, Context(options=options))
        again = fmt.normalize(fmt.decode(it.payload), Context(options=options))
        assert again == first
        stored = orjson.loads(it.payload)
        assert set(stored) == {"preset", "row"} and "" not in stored["row"].values()


def test_mapping_rows_need_the_mapping_again() -> None:
    items, _ = read(CSV / "custom-mapping.csv", {"mapping": MAPPING})
    with pytest.raises(NormalizeError, match="pass the same --mapping FILE"):
        fmt.normalize(fmt.decode(items[0].payload), Context())


def test_every_preset_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "sources" / "csv.md").read_text()
    for name in PRESETS:
        assert f"`{name}`" in doc
