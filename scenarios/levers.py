"""The reform levers of a scenario (``[levers]``): how government is organised (DESIGN.md §2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from govlab.scenarios.fields import Frozen, Share


class Levers(Frozen):
    """How government is organised: the reform levers of DESIGN.md §2."""

    front_desk: bool = Field(
        False, description="one pooled intake desk per district for all functions (一窗受理); bool"
    )
    approval: Literal["sequential", "parallel"] = Field(
        "sequential",
        description="steps one after another in written order (串联), or each as soon as the "
        "steps it waits for have ended: the case's precedence graph (并联)",
    )
    data_sharing: Share = Field(
        0.0,
        description="probability (0-1) that a document issued by a department is fetched from the "
        "data hub instead of carried by the applicant",
    )
    handoff: Literal["applicant", "electronic"] = Field(
        "applicant", description="who moves the file between departments"
    )
    cross_district: Literal["home_only", "anywhere"] = Field(
        "home_only", description="where a resident away from home may be served (跨域通办)"
    )
    online_coverage: Share = Field(
        0.1, description="probability (0-1) that an online-capable case is offered online"
    )
    capacity_policy: Literal["static", "proportional", "sqrt"] = Field(
        "static", description="how the staff budget follows sensed demand"
    )
    adjust_every_days: int = Field(20, ge=1, le=1000, description="sensing period; days")
    adjust_lag_days: int = Field(
        20, ge=0, le=1000, description="delay before a reallocation takes effect; days"
    )
    transparency: Share = Field(
        0.1, description="0-1; one-time complete notice of requirements (一次告知) and open data"
    )
    platform_openness: int = Field(
        0, ge=0, le=3, description="participation platform: 0 closed .. 3 open; level"
    )
    coproduction: Share = Field(
        0.0,
        description="0-1; share of the volunteer capacity offered by co-producing enterprises and "
        "social organisations that the platform enlists (at counters and community stations)",
    )
    privacy_protection: Share = Field(
        0.5, description="0-1; share of data-hub incident risk removed by protection"
    )
    sensing_quality: Share = Field(
        0.5, description="0-1; data-fusion quality of demand sensing (1 = noiseless)"
    )
