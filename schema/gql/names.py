"""What the GraphQL API calls the ontology's classes and relationships: every name the API
needs beyond the ontology, in one place.

The types, inputs, root fields and mutations are made from the ontology; these tables only
name them (strawberry camel-cases the snake-case names).
"""

from __future__ import annotations

from typing import Final

#: class -> (root field for one record by id, root field for the paginated list)
QUERY_FIELDS: Final[dict[str, tuple[str, str]]] = {
    "Department": ("department", "departments"), "Position": ("position", "positions"),
    "Responsibility": ("responsibility", "responsibilities"),
    "Competency": ("competency", "competencies"), "Certificate": ("certificate", "certificates"),
    "Employee": ("employee", "employees"), "KPI": ("kpi", "kpis"),
    "Contract": ("contract", "contracts"),
    "PerformanceReview": ("performance_review", "performance_reviews"),
    "Objective": ("objective", "objectives"), "KeyResult": ("key_result", "key_results"),
    "KpiResult": ("kpi_result", "kpi_results"), "Feedback": ("feedback", "feedbacks"),
}

#: relationship -> (mutation setting one, mutation removing one); the relationships HR edits
#: one by one (reference columns such as a position's department are fields of the record's
#: own create and update inputs instead)
EDGE_MUTATIONS: Final[dict[str, tuple[str, str]]] = {
    "HAS_RESPONSIBILITY": ("assignResponsibility", "unassignResponsibility"),
    "REQUIRES_COMPETENCY": ("setRequirement", "removeRequirement"),
    "REQUIRES_CERTIFICATE": ("requireCertificate", "unrequireCertificate"),
    "MEASURED_BY": ("setKpiWeight", "removeKpi"),
    "HOLDS_POSITION": ("assignPosition", "unassignPosition"),
    "HAS_COMPETENCY": ("assessCompetency", "removeCompetencyAssessment"),
    "HAS_CERTIFICATE": ("grantCertificate", "revokeCertificate"),
    "NOMINATED_SUCCESSOR": ("nominateSuccessor", "removeNomination"),
    "SERVES": ("linkKpiKeyResult", "unlinkKpiKeyResult"),
}

#: the lists whose ``filter.department`` the API offers (records belong to departments as
#: the ontology's ``department`` paths say)
DEPARTMENT_FILTERED: Final[tuple[str, ...]] = (
    "Department", "Position", "Employee", "Responsibility", "Objective", "KeyResult",
    "KpiResult", "Feedback")


def input_prefix(class_name: str) -> str:
    """The prefix of a class's input types (``<prefix>Input`` to create, ``<prefix>Patch`` to
    change): the name capitalised, the rest in lower case (``KpiInput``,
    ``PerformancereviewInput``), as published since the first schema."""
    return class_name.capitalize()
