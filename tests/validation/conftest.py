"""Textbook worlds (``scenarios.textbook``) as a fixture for the validation tests."""

from __future__ import annotations

import pytest

from govlab.scenarios.textbook import HOURS, textbook_scenario

__all__ = ["HOURS", "textbook_scenario"]


@pytest.fixture
def textbook():
    return textbook_scenario
