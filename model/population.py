"""The resident population table: one NumPy array per attribute (structure of arrays).

Residents can number 10^6; their attributes are columns here, indexed by row, and every per-day
update over them is an array operation. ``Resident`` agents are thin views onto rows.

Columns (dtype; unit):
    district (int16), age_group (int8), digital_skill (float32; 0-1): who the resident is;
    time, civic_skill (float32; 0-1): Verba's resources for participation;
    trust, expectation, satisfaction, efficacy, privacy_concern (float32; 0-1): attitudes;
    threshold (float32; utility): the participation threshold of the voice rule (drawn, or the
        scenario's fixed ``threshold_values``);
    participating (bool): on the platform in the current voice period (``seed_participants``
        residents start on it);
    last_case_day (float32; days): completion time of the latest own case (−inf: none yet).
Enterprises get the same attitude columns in their own table (``make_enterprise_table``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import betainc, betaincinv

from govlab.scenarios import Civic, World

AGE_GROUPS = ("young", "middle", "old")
AGE_SHARES = (0.30, 0.45, 0.25)
# Mean digital skill (0-1) by age group; skill ~ Beta with this mean and concentration 6.
AGE_DIGITAL_SKILL = (0.75, 0.55, 0.25)
SKILL_CONCENTRATION = 6.0
# Mean free time (0-1) by age group: the middle-aged have least (Verba, Schlozman & Brady).
AGE_TIME = (0.5, 0.3, 0.6)
CIVIC_SKILL_MEAN = 0.45
RESOURCE_CONCENTRATION = 4.0
# Enterprises: resources for participation are fixed (staff time, organisational skill).
ENTERPRISE_TIME = 0.5
ENTERPRISE_CIVIC_SKILL = 0.7
FIRM, ORGANISATION = 0, 1  # kinds of rows in the enterprise table
ATTITUDES = ("trust", "expectation", "satisfaction", "efficacy", "privacy_concern")


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


def district_weights(world: World) -> np.ndarray:
    """Share of residents (and enterprises) living in each district (Zipf, exponent c)."""
    weights = np.arange(1, world.districts + 1, dtype=float) ** -world.district_concentration
    return weights / weights.sum()


def draw_districts(rng: np.random.Generator, world: World, n: int) -> np.ndarray:
    """Home districts of ``n`` applicants (uniform unless ``district_concentration`` > 0)."""
    if world.district_concentration == 0.0:
        return rng.integers(world.districts, size=n).astype(np.int16)
    return rng.choice(world.districts, size=n, p=district_weights(world)).astype(np.int16)


def beta_mean(rng: np.random.Generator, mean, concentration: float, n: int) -> np.ndarray:
    """Beta draws with the given mean(s) (clipped into (0.01, 0.99)) and concentration; float32."""
    mean = np.clip(np.asarray(mean, dtype=float), 0.01, 0.99)
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=n).astype(np.float32)


def beta_remapped(values: np.ndarray, mean: float, new_mean: float, concentration: float):
    """Draws of ``beta_mean(…, mean, concentration, …)`` carried to the Beta with ``new_mean`` by
    their quantiles: exact draws of the new distribution from the same random numbers, so the
    generator's stream (and every later draw of the model) does not depend on ``new_mean``."""
    if new_mean == mean:
        return values
    old, new = np.clip([mean, new_mean], 0.01, 0.99)
    quantile = betainc(old * concentration, (1.0 - old) * concentration, values.astype(float))
    return betaincinv(new * concentration, (1.0 - new) * concentration, quantile).astype(np.float32)


def attitude_columns(
    rng: np.random.Generator, civic: Civic, n: int, firm: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Initial attitudes, threshold and participation of ``n`` applicants; the rows marked in
    ``firm`` start at the firms' own means of trust and expectation (their silo rest point)."""
    k = civic.attitude_concentration
    columns = {
        "trust": beta_mean(rng, civic.trust_initial, k, n),
        "expectation": beta_mean(rng, civic.expectation_initial, k, n),
        "efficacy": beta_mean(rng, civic.efficacy_initial, k, n),
        "privacy_concern": beta_mean(rng, civic.privacy_concern_initial, k, n),
        "threshold": rng.normal(civic.threshold_mean, civic.threshold_sd, size=n).astype(
            np.float32
        ),
    }
    if firm is not None:
        for name, old, new in (
            ("trust", civic.trust_initial, civic.enterprise_trust_initial),
            ("expectation", civic.expectation_initial, civic.enterprise_expectation_initial),
        ):
            columns[name][firm] = beta_remapped(columns[name][firm], old, new, k)
    columns["satisfaction"] = columns["trust"].copy()
    columns["participating"] = np.zeros(n, dtype=bool)
    columns["last_case_day"] = np.full(n, -np.inf, dtype=np.float32)
    return columns


def make_population(
    rng: np.random.Generator, world: World, civic: Civic | None = None
) -> Population:
    """Draw the residents: who they are, their resources and their initial attitudes."""
    civic = civic or Civic()
    n = world.residents
    district = draw_districts(rng, world, n)
    age_group = rng.choice(len(AGE_GROUPS), size=n, p=AGE_SHARES).astype(np.int8)
    mean = np.asarray(AGE_DIGITAL_SKILL)[age_group]
    skill = rng.beta(mean * SKILL_CONCENTRATION, (1.0 - mean) * SKILL_CONCENTRATION)
    columns = {
        "district": district,
        "age_group": age_group,
        "digital_skill": skill.astype(np.float32),
        "time": beta_mean(rng, np.asarray(AGE_TIME)[age_group], RESOURCE_CONCENTRATION, n),
        "civic_skill": beta_mean(rng, CIVIC_SKILL_MEAN, RESOURCE_CONCENTRATION, n),
    }
    columns.update(attitude_columns(rng, civic, n))
    if civic.threshold_values:
        columns["threshold"] = np.asarray(civic.threshold_values, dtype=np.float32)
    if civic.seed_participants:
        seeds = rng.permutation(n)[: civic.seed_participants]
        columns["participating"][seeds] = True
    return Population(columns)


def make_enterprise_table(
    rng: np.random.Generator,
    civic: Civic,
    district: np.ndarray,
    skill: np.ndarray,
    kind: np.ndarray | None = None,
) -> Population:
    """The table of enterprises and social organisations (rows beside them, ``kind`` =
    ``ORGANISATION``): district, digital skill, fixed resources and attitudes. Only enterprise
    rows apply for services (they come first, so a row is also the applicant index); they start
    at their own mean trust and expectation (``enterprise_trust_initial``, …: the silo world's
    firms at rest), the organisations at the residents'."""
    n = len(district)
    kind = np.full(n, FIRM, dtype=np.int8) if kind is None else kind.astype(np.int8)
    columns = {
        "district": district,
        "kind": kind,
        "digital_skill": skill,
        "time": np.full(n, ENTERPRISE_TIME, dtype=np.float32),
        "civic_skill": np.full(n, ENTERPRISE_CIVIC_SKILL, dtype=np.float32),
        **attitude_columns(rng, civic, n, kind == FIRM),
        "coproducing": np.zeros(n, dtype=bool),
    }
    return Population(columns)
