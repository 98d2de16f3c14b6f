from __future__ import annotations

from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parents[1] / "fixtures" / "gold"


@pytest.fixture
def gold_dir() -> Path:
    return GOLD
