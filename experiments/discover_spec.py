"""The ``[discover]`` table of an experiment file: the scenario-discovery question it ships with.

``govlab discover`` takes its options from it when they are not given on the command line, and
``govlab report`` adds the discovery as a section of the experiment's report. The question does
not change any run, so it is not part of the experiment's stored identity.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from govlab.scenarios.fields import STRICT


class Question(BaseModel):
    """Where is ``outcome`` (or its paired change against ``relative_to``) below / above X?"""

    model_config = STRICT

    outcome: str = Field(min_length=1, description="metric of the outcome")
    scenario: str | None = Field(None, description="scenario label; default: the only other one")
    relative_to: str | None = Field(None, description="paired relative change vs this label")
    below: float | None = Field(None, description="points of interest: outcome < below")
    above: float | None = Field(None, description="points of interest: outcome > above")
    min_density: float = Field(0.8, ge=0.0, le=1.0, description="density of the chosen box")
    max_qp: float = Field(
        0.05, gt=0.0, le=1.0, description="restrictions with a larger quasi-p-value are dropped"
    )

    @model_validator(mode="after")
    def _one_threshold(self) -> Question:
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of below and above")
        return self
