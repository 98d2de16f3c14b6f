"""Alerts: rules checked after every import or collection, delivered by e-mail and webhook.

    from radsocial.alerts import add_rule, check_rules
    add_rule(store, "gadolinium", "keyword", {"terms": ["gadolinium"]},
             [{"type": "webhook", "name": "imaging-slack"}])
    for fired in check_rules(store):
        print(fired.rule, fired.reason)

Rules (`rules.py`) say what to watch; `check.py` decides what fired and logs it in
`alert_events`; `deliver.py` sends it; `config.py` finds the secrets delivery needs in
the environment or the config file — never in the database. `spike.py` is Symplur's
spike test as a pure function, shared with the digest and the analytics.
"""

from __future__ import annotations

from radsocial.alerts.check import Fired, check_rules, event_log
from radsocial.alerts.config import ConfigError, DeliveryConfig, SmtpSettings, load_config
from radsocial.alerts.rules import (
    KINDS,
    Rule,
    RuleError,
    add_rule,
    get_rule,
    list_rules,
    remove_rule,
    set_enabled,
    validate_channels,
    validate_params,
)
from radsocial.alerts.spike import SpikeResult, spike_test

__all__ = [
    "KINDS",
    "ConfigError",
    "DeliveryConfig",
    "Fired",
    "Rule",
    "RuleError",
    "SmtpSettings",
    "SpikeResult",
    "add_rule",
    "check_rules",
    "event_log",
    "get_rule",
    "list_rules",
    "load_config",
    "remove_rule",
    "set_enabled",
    "spike_test",
    "validate_channels",
    "validate_params",
]
