"""What radsocial knows about the field: hashtags, meetings, tweetchats, known accounts."""

from __future__ import annotations

from radsocial.knowledge.registry import (
    Registry,
    RegistryError,
    default_registry,
    load_registry,
    validate_registry_files,
)

__all__ = [
    "Registry",
    "RegistryError",
    "default_registry",
    "load_registry",
    "validate_registry_files",
]
