"""The resident population table: one NumPy array per attribute (structure of arrays).

Residents can number 10^6; their attributes are columns here, indexed by row, and every per-day
update over them is an array operation. ``Resident`` agents are thin views onto rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scenarios import World

AGE_GROUPS = ("young", "middle", "old")
AGE_SHARES = (0.30, 0.45, 0.25)
# Mean digital skill (0-1) by age group; skill ~ Beta with this mean and concentration 6.
AGE_DIGITAL_SKILL = (0.75, 0.55, 0.25)
SKILL_CONCENTRATION = 6.0


@dataclass
class Population:
    """Columns of the resident table (all arrays of length ``size``)."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.columns["district"])

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["columns"][name]
        except KeyError:
            raise AttributeError(name) from None

    def nbytes(self) -> int:
        """Memory held by the columns; bytes."""
        return sum(column.nbytes for column in self.columns.values())


def make_population(rng: np.random.Generator, world: World) -> Population:
    """Draw the residents: home district, age group and digital skill."""
    n = world.residents
    district = rng.integers(world.districts, size=n).astype(np.int16)
    age_group = rng.choice(len(AGE_GROUPS), size=n, p=AGE_SHARES).astype(np.int8)
    mean = np.asarray(AGE_DIGITAL_SKILL)[age_group]
    skill = rng.beta(mean * SKILL_CONCENTRATION, (1.0 - mean) * SKILL_CONCENTRATION)
    return Population(
        {
            "district": district,
            "age_group": age_group,
            "digital_skill": skill.astype(np.float32),
        }
    )
