"""The base of every scenario model and the field types the sections share: ``Frozen``
(immutable, unknown keys are errors, strict types, finite numbers), ``Share`` (a probability or
share in [0, 1]) and ``Utility`` (a utility term in [-5, 5]).

Types are strict (``STRICT``): a bool is ``true`` or ``false`` (not ``1``, not ``"yes"``), a count
is a whole number written as one (not ``4.0e4``, not ``true``), a real number is a number (an
integer is fine: ``transparency = 1``; not a string, not a bool), and never ``nan`` or ``inf``.
A tuple field reads a TOML array (a list) and keeps its items strict: give it ``strict=False``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# The model configuration of every scenario section: immutable, unknown keys and wrong types are
# errors, numbers are finite.
STRICT = ConfigDict(
    frozen=True, extra="forbid", validate_default=True, strict=True, allow_inf_nan=False
)

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Utility = Annotated[float, Field(ge=-5.0, le=5.0)]


class Frozen(BaseModel):
    """Base of every scenario model: immutable, unknown keys and wrong types are errors."""

    model_config = STRICT
