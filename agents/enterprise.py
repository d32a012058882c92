"""Enterprise: a firm that applies for enterprise services (registration, permits)."""

from __future__ import annotations

import mesa


class Enterprise(mesa.Agent):
    """An enterprise.

    Attributes:
        row: its index in the model's enterprise arrays (demand is drawn over those arrays).
        district: district index.
        sector: sector index (0 services, 1 manufacturing, 2 construction, 3 trade).
        size: employees; count.
        digital_skill: 0-1; decides whether an online service can be used.
    """

    def __init__(
        self,
        model: mesa.Model,
        row: int,
        district: int,
        sector: int,
        size: int,
        digital_skill: float,
    ) -> None:
        super().__init__(model)
        self.row = row
        self.district = district
        self.sector = sector
        self.size = size
        self.digital_skill = digital_skill
