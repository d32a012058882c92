"""Resident: a thin Mesa view onto one row of the model's population table.

Residents can number 10^6, so their state lives in arrays (``model.population``); a ``Resident``
agent holds only its row index and reads and writes through to the arrays. Views are made on
demand with ``model.resident(row)`` and then registered with the model like any Mesa agent.
"""

from __future__ import annotations

import mesa


class Resident(mesa.Agent):
    """A view onto row ``row`` of ``model.population``."""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def neighbours(self) -> list[int]:
        """Rows of this resident's neighbours in the social network (``model.network``)."""
        network = self.model.network
        return network.indices[network.indptr[self.row] : network.indptr[self.row + 1]].tolist()

    def __getattr__(self, name: str):
        columns = self.__dict__.get("model").population.columns
        if name in columns:
            return columns[name][self.row].item()
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        model = self.__dict__.get("model")
        if model is not None and name in model.population.columns:
            model.population.columns[name][self.row] = value
        else:
            super().__setattr__(name, value)
