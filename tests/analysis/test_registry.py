from __future__ import annotations

from datetime import date

import pytest

from radsocial.knowledge.registry import RegistryError, load_registry, validate_registry_files


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def test_meeting_for_hashtag_two_and_four_digit_years(reg):
    m, year = reg.meeting_for_hashtag("RSNA17")
    assert (m.key, year) == ("RSNA", 2017)
    m, year = reg.meeting_for_hashtag("#rsna2019")
    assert (m.key, year) == ("RSNA", 2019)
    assert reg.meeting_for_hashtag("ECR2019")[0].key == "ECR"
    assert reg.meeting_for_hashtag("SIR19")[1] == 2019
    assert reg.meeting_for_hashtag("radiology") is None


def test_known_dates_and_windows(reg):
    rsna = reg.meeting("RSNA")
    assert rsna.edition(2017).start == date(2017, 11, 26)
    assert rsna.edition(2017).end == date(2017, 12, 1)
    assert rsna.edition(2020).virtual is True
    assert rsna.window(2019, days_before=1, days_after=1) == (date(2019, 11, 30), date(2019, 12, 7))
    ecr = reg.meeting("ECR")
    assert (ecr.edition(2019).start, ecr.edition(2019).end) == (date(2019, 2, 27), date(2019, 3, 3))
    # an edition with unknown dates has no window rather than a guessed one
    assert reg.meeting("acr").window(2019) is None
    assert "RSNA17" in rsna.hashtags_for(2017) and "RSNA2017" in rsna.hashtags_for(2017)


def test_hashtag_kinds(reg):
    assert reg.hashtag_kind("RSNA17") == "conference"
    assert reg.hashtag_kind("#Radiology") == "topic"
    assert reg.hashtag_kind("bcsm") == "tweetchat"
    assert reg.hashtag_kind("Celiac") == "disease"
    assert reg.hashtag_kind("no_such_tag_xyz") is None


def test_imaging_flags(reg):
    assert reg.is_imaging_hashtag("FOAMrad") is True
    assert reg.is_imaging_hashtag("RadOnc") is False  # radiation oncology is not imaging
    assert reg.is_imaging_hashtag("SIIM19") is True
    assert reg.is_imaging_hashtag("HIMSS19") is False
    assert reg.is_imaging_hashtag("ACR2019") is None  # shared with rheumatology


def test_entity_for_handle(reg):
    e = reg.entity_for_handle("x", "@Radiology_RSNA")
    assert e is not None and e.kind == "journal_publisher"
    assert reg.entity_for_handle("x", "bbchealth").kind == "media_outlet"
    assert reg.entity_for_handle("bluesky", "bbchealth") is None


def test_user_file_extends_and_overrides(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(
        """
[hashtags.RadOnc]
kind = "topic"
imaging = true

[hashtags.MyChat]
kind = "tweetchat"
imaging = true

[meetings.UKRC]
name = "UK Radiology Congress"
patterns = ["UKRC{yy}"]
[meetings.UKRC.editions.2019]
start = 2019-06-03
end = 2019-06-05

[entities.RSNA]
remove = true
""",
        encoding="utf-8",
    )
    reg = load_registry([f])
    assert reg.is_imaging_hashtag("radonc") is True
    assert reg.hashtag_kind("MyChat") == "tweetchat"
    assert reg.meeting_for_hashtag("UKRC19")[1] == 2019
    assert reg.entity_for_handle("x", "RSNA") is None


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[hashtags.foo]\nkind = "weird"\n',
            "[hashtags.foo]: 'kind' must be one of topic, tweetchat, conference, disease",
        ),
        ('[hashtags.foo]\nkind = "topic"\nimagin = true\n', "unknown field 'imagin'"),
        (
            '[meetings.X]\nname = "X"\npatterns = ["X2019"]\n',
            "must contain exactly one year placeholder",
        ),
        (
            '[meetings.X]\nname = "X"\npatterns = ["X{yy}"]\n[meetings.X.editions.2019]\nstart = 2019-06-05\nend = 2019-06-01\n',
            "[meetings.X.editions.2019]: 'end' 2019-06-01 is before 'start' 2019-06-05",
        ),
        (
            '[meetings.X]\nname = "X"\npatterns = ["X{yy}"]\n[meetings.X.editions.2019]\nstart = "June 2019"\nend = 2019-06-01\n',
            "'start' must be a TOML date",
        ),
        (
            '[entities.Y]\nname = "Y"\nkind = "society"\nhandles = { x = ["y"] }\n',
            "'kind' must be a stakeholder label",
        ),
        (
            '[entities.Y]\nname = "Y"\nkind = "vendor_industry"\nhandles = { myspace = ["y"] }\n',
            "unknown platform 'myspace'",
        ),
        (
            '[hashtags.zzz]\nkind = "topic"\naliases = ["radiology"]\n',
            "tag 'radiology' is also defined by hashtags.radiology",
        ),
        (
            '[tweetchats.T]\nhashtag = "T"\nschedule = { time = "25:00", timezone = "Europe/London" }\n',
            "schedule 'time' must be \"HH:MM\"",
        ),
        ("[colours]\nred = 1\n", "[colours]: unknown section"),
        ("[hashtags.foo\n", "not valid TOML"),
    ],
)
def test_validation_messages_name_file_entry_and_problem(tmp_path, toml, expected):
    f = tmp_path / "bad.toml"
    f.write_text(toml, encoding="utf-8")
    problems = validate_registry_files([f])
    assert problems, "expected a problem"
    assert any(expected in p and str(f) in p for p in problems), problems
    with pytest.raises(RegistryError) as exc:
        load_registry([f])
    assert expected in str(exc.value)


def test_shipped_registry_is_valid():
    assert validate_registry_files() == []


def test_missing_user_file_is_reported(tmp_path):
    problems = validate_registry_files([tmp_path / "nope.toml"])
    assert problems and "cannot read" in problems[0]
