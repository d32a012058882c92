"""The governance model: GovernanceModel and its mechanisms. Pure: no I/O, no printing."""

from govlab.model.governance import GovernanceModel
from govlab.model.metrics import case_table, summarise

__all__ = ["GovernanceModel", "case_table", "summarise"]
