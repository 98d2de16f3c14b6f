"""Rule kinds, parameter validation with clear errors, and storing rules (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from radsocial.alerts.rules import (
    RuleError,
    add_rule,
    get_rule,
    list_rules,
    parse_hours,
    remove_rule,
    set_enabled,
    validate_channels,
    validate_params,
)
from radsocial.store import Store
from tests.alerts import make_post, write

T = datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_keyword_params_are_normalised() -> None:
    p = validate_params(
        "keyword", {"terms": ["gadolinium", "  contrast   agent "], "hashtags": ["#Radiology"]}
    )
    assert p == {
        "terms": ["gadolinium", "contrast agent"],
        "hashtags": ["radiology"],
        "min_posts": 1,
    }
    assert validate_params("keyword", {"terms": "MRI", "min_posts": 3})["min_posts"] == 3


def test_account_params() -> None:
    p = validate_params("account", {"handles": ["@RSNA", "rsna", "acrvoice"]})
    assert p == {"handles": ["rsna", "acrvoice"], "mentions": False}
    assert validate_params("account", {"handles": ["a.bsky.social"], "mentions": True})["mentions"]


def test_spike_and_sentiment_defaults() -> None:
    assert validate_params("spike", {"hashtags": ["RSNA24"]}) == {
        "hashtags": ["rsna24"],
        "k": 2.0,
        "min_posts": 10,
    }
    s = validate_params("sentiment_drop", {"keywords": ["AI"], "window": "7d"})
    assert s == {"keywords": ["AI"], "drop": 20.0, "window": 168, "baseline": 168, "min_posts": 20}
    s = validate_params("sentiment_drop", {"window": 24, "baseline": "3d", "drop": 15})
    assert (s["window"], s["baseline"], s["drop"]) == (24, 72, 15.0)
    assert parse_hours("48h", "window", 24) == 48


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("nonsense", {}, "unknown rule kind 'nonsense'; use one of: keyword, account"),
        ("keyword", {}, "needs at least one term"),
        ("keyword", {"terms": ["mri"], "term": "x"}, "unknown parameter(s) term for a keyword"),
        ("keyword", {"terms": ['say "hi"']}, "contains a quote"),
        ("keyword", {"terms": ["-ct"]}, "search operator"),
        ("keyword", {"terms": ["mri"], "min_posts": 0}, "min_posts must be between 1"),
        ("keyword", {"terms": ["mri"], "min_posts": "many"}, "min_posts must be a whole number"),
        ("keyword", {"terms": ["mri"], "hashtags": ["not a tag"]}, "is not a hashtag"),
        ("keyword", {"terms": [3]}, "must be strings"),
        ("account", {"handles": []}, "needs at least one handle"),
        ("account", {"handles": ["a b"]}, "is not an account handle"),
        ("account", {"handles": ["a"], "mentions": "yes"}, "mentions must be true or false"),
        ("spike", {"k": -1}, "k must be above 0"),
        ("spike", {"k": "nan"}, "k must be above 0"),
        ("spike", {"k": "two"}, "k must be a number"),
        ("sentiment_drop", {"window": "soon"}, "window must be hours"),
        ("sentiment_drop", {"window": "0h"}, "window must be between 1"),
        ("sentiment_drop", {"drop": 0}, "drop (net sentiment points) must be above 0"),
    ],
)
def test_invalid_params_say_what_is_wrong(kind: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError) as info:
        validate_params(kind, params)
    assert message in str(info.value)


def test_channels() -> None:
    chans = validate_channels(
        [
            {"type": "email", "to": ["a@example.org", "a@example.org"]},
            {"type": "webhook", "name": "imaging-slack"},
        ]
    )
    assert chans == [
        {"type": "email", "to": ["a@example.org"]},
        {"type": "webhook", "name": "imaging-slack"},
    ]
    with pytest.raises(RuleError, match="not an e-mail address"):
        validate_channels([{"type": "email", "to": ["nobody"]}])
    with pytest.raises(RuleError, match="never stored in the database"):
        validate_channels([{"type": "webhook", "name": "https://hooks.slack.com/services/T/B/x"}])
    with pytest.raises(RuleError, match="never stored in the database"):
        validate_channels([{"type": "webhook", "name": "x", "url": "https://h/x"}])
    with pytest.raises(RuleError, match="webhook name"):
        validate_channels([{"type": "webhook", "name": "bad name!"}])
    with pytest.raises(RuleError, match="unknown channel type 'sms'"):
        validate_channels([{"type": "sms"}])


def test_store_rules(store: Store) -> None:
    write(store, [make_post("1", "old post about MRI", T)])
    rule = add_rule(
        store,
        "MRI news",
        "keyword",
        {"terms": ["MRI"]},
        [{"type": "webhook", "name": "team"}],
    )
    assert rule.id is not None and rule.enabled
    assert rule.last_checked_post_id == 1  # watches posts imported from now on
    assert rule.describe() == "keyword MRI (≥ 1 new posts)"
    back = add_rule(store, "MRI all", "keyword", {"terms": ["MRI"]}, from_start=True)
    assert back.last_checked_post_id == 0
    with pytest.raises(RuleError, match="exists already"):
        add_rule(store, "MRI news", "keyword", {"terms": ["CT"]})
    with pytest.raises(RuleError, match="only digits"):
        add_rule(store, "42", "keyword", {"terms": ["CT"]})
    assert [r.name for r in list_rules(store)] == ["MRI news", "MRI all"]
    assert get_rule(store, rule.id).name == "MRI news"
    assert get_rule(store, str(rule.id)).name == "MRI news"
    set_enabled(store, "MRI news", False)
    assert [r.name for r in list_rules(store, enabled_only=True)] == ["MRI all"]
    remove_rule(store, "MRI all")
    with pytest.raises(RuleError, match="no alert rule 'MRI all'; rules: MRI news"):
        get_rule(store, "MRI all")


def test_describe_every_kind(store: Store) -> None:
    a = add_rule(store, "rsna", "account", {"handles": ["RSNA"], "mentions": True})
    assert a.describe() == "posts by @rsna or mentioning them"
    s = add_rule(store, "spike", "spike", {"hashtags": ["RSNA24"], "k": 3})
    assert "#rsna24" in s.describe() and "3·SD" in s.describe()
    d = add_rule(store, "mood", "sentiment_drop", {"keywords": ["AI"], "drop": 25})
    assert d.describe() == "net sentiment of AI drops ≥ 25 points over 24 h vs the 24 h before"
    assert d.as_dict()["params"]["window"] == 24
