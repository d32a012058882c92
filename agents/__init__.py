"""The Mesa agents: departments, enterprises and (array-backed) residents."""

from agents.department import Department
from agents.enterprise import Enterprise
from agents.resident import Resident

__all__ = ["Department", "Enterprise", "Resident"]
