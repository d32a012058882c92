"""The Mesa agents: departments, enterprises and (array-backed) residents."""

from govlab.agents.department import Department
from govlab.agents.enterprise import Enterprise
from govlab.agents.resident import Resident

__all__ = ["Department", "Enterprise", "Resident"]
