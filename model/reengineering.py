"""Process re-engineering (再造流程) applied to the service catalogue, never to the metrics.

``reengineered(scenario)`` returns the scenario whose catalogue the model runs: exempted
documents (免证办) are no longer required where an applicant would bring them from outside the
case (a document an earlier step of the same case issues keeps its dependency), and a committed
time limit cuts every back-office time by its share while its extra back-office servers join every
department (so the staff budget grows: the time limit is not free). Bundling (一件事一次办) needs
the precedence graph and is done where plans are compiled (``model.routes``). The levers are the
scenario's ``[reengineering]`` section (``scenarios.reengineering``).
"""

from __future__ import annotations

from collections import Counter

from govlab.scenarios import Scenario


def external_requirements(scenario: Scenario) -> Counter[str]:
    """How many catalogue steps require each document from outside their case."""
    counts: Counter[str] = Counter()
    for service in scenario.services.values():
        issued: set[str] = set()
        for step in service.steps:
            counts.update(doc for doc in step.requires if doc not in issued)
            issued.update(step.issues)
    return counts


def exempted_documents(scenario: Scenario) -> frozenset[str]:
    """The documents exempted: those named, and the ``exemption_share`` of government-issued
    document types most often required from outside a case (ties by name; rounded half up)."""
    levers = scenario.reengineering
    counts = external_requirements(scenario)
    certificates = sorted(
        (doc for doc in counts if scenario.documents[doc].issuer != "applicant"),
        key=lambda doc: (-counts[doc], doc),
    )
    chosen = int(levers.exemption_share * len(certificates) + 0.5)
    return frozenset(levers.exempt_documents) | frozenset(certificates[:chosen])


def reengineered(scenario: Scenario) -> Scenario:
    """The scenario with its catalogue re-engineered (the scenario itself if nothing changes)."""
    levers = scenario.reengineering
    exempt = exempted_documents(scenario)
    keep = 1.0 - levers.backoffice_time_cut
    if not exempt and keep == 1.0 and levers.extra_backoffice_staff == 0:
        return scenario
    services = {}
    for name, service in scenario.services.items():
        issued: set[str] = set()
        steps = []
        for step in service.steps:
            requires = tuple(doc for doc in step.requires if doc in issued or doc not in exempt)
            steps.append(
                step.model_copy(
                    update={"requires": requires, "backoffice_days": step.backoffice_days * keep}
                )
            )
            issued.update(step.issues)
        services[name] = service.model_copy(update={"steps": tuple(steps)})
    functions = {
        name: function.model_copy(
            update={"backoffice_staff": function.backoffice_staff + levers.extra_backoffice_staff}
        )
        for name, function in scenario.functions.items()
    }
    return scenario.model_copy(update={"services": services, "functions": functions})
