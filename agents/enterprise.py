"""Enterprise: a firm that applies for enterprise services (registration, permits)."""

from __future__ import annotations

import mesa


class Enterprise(mesa.Agent):
    """An enterprise.

    Attributes:
        row: its index in the model's enterprise arrays (demand is drawn over those arrays).
        district: district index.
        digital_skill: 0-1; decides whether an online service can be used.

    Its attitudes (``trust``, ``expectation``, ``satisfaction``, ``efficacy``,
    ``privacy_concern``, ``participating``, ``coproducing``) live in ``model.enterprise_table``
    and are read through, like a ``Resident``'s.
    """

    def __init__(
        self,
        model: mesa.Model,
        row: int,
        district: int,
        digital_skill: float,
    ) -> None:
        super().__init__(model)
        self.row = row
        self.district = district
        self.digital_skill = digital_skill

    def __getattr__(self, name: str):
        model = self.__dict__.get("model")
        table = getattr(model, "enterprise_table", None) if model is not None else None
        if table is not None and name in table.columns:
            return table.columns[name][self.__dict__["row"]].item()
        raise AttributeError(name)
