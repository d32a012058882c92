"""The base of every scenario model and the field types the sections share: ``Frozen``
(immutable, unknown keys are errors), ``Share`` (a probability or share in [0, 1]) and
``Utility`` (a utility term in [-5, 5]).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Utility = Annotated[float, Field(ge=-5.0, le=5.0)]


class Frozen(BaseModel):
    """Base of every scenario model: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
