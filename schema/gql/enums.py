"""GraphQL enums. An enum of stored values is declared once, beside the ontology properties
whose allowed values it spells (:func:`of_property`); its members are checked against the
ontology when this module loads, and :data:`ENUM_PROPERTIES` is derived from the declarations.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import strawberry

from schema.ontology import default_ontology

E = TypeVar("E", bound=type[Enum])

#: ontology property (class or relationship, property) -> the GraphQL enum of its values
ENUM_PROPERTIES: dict[tuple[str, str], type[Enum]] = {}


def of_property(*owners: tuple[str, str]) -> Callable[[E], E]:
    """Declares that an enum spells the allowed values of these ontology properties (class
    or relationship, property); raises at import when they do not agree."""

    def register(enum_cls: E) -> E:
        ontology = default_ontology()
        values = [m.value for m in enum_cls]
        for owner, prop in owners:
            props = (ontology.classes[owner].properties if owner in ontology.classes
                     else ontology.relationships[owner].properties)
            allowed = list(props[prop].enum or ())
            if values != allowed:
                raise TypeError(f"{enum_cls.__name__} has {values}, but the ontology allows "
                                f"{allowed} for {owner}.{prop}")
            ENUM_PROPERTIES[(owner, prop)] = enum_cls
        return enum_cls

    return register


@of_property(("Position", "category"))
@strawberry.enum(description="What kind of work a position does")
class PositionCategory(Enum):
    MANAGEMENT = "management"
    TECHNICAL = "technical"
    OPERATIONS = "operations"
    SUPPORT = "support"


@of_property(("HAS_RESPONSIBILITY", "raci"))
@strawberry.enum(description="RACI role of a position for a responsibility")
class Raci(Enum):
    R = "R"
    A = "A"
    C = "C"
    I = "I"  # noqa: E741 - the RACI letter


@of_property(("NOMINATED_SUCCESSOR", "readiness"))
@strawberry.enum(description="How soon a successor can take over")
class Readiness(Enum):
    READY_NOW = "ready_now"
    READY_1_2_YEARS = "ready_1_2_years"
    READY_3_PLUS_YEARS = "ready_3_plus_years"


@of_property(("Contract", "type"))
@strawberry.enum
class ContractType(Enum):
    FIXED_TERM = "fixed_term"
    OPEN_ENDED = "open_ended"
    TASK_BASED = "task_based"


@of_property(("KPI", "direction"), ("KeyResult", "direction"))
@strawberry.enum(description="Whether a higher or a lower KPI value is better")
class KpiDirection(Enum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


@of_property(("Feedback", "relation"))
@strawberry.enum(description="Who gave a feedback, seen from the employee it is about")
class FeedbackRelation(Enum):
    MANAGER = "manager"
    PEER = "peer"
    SUBORDINATE = "subordinate"
    SELF = "self"


@of_property(("Employee", "potential"), ("Employee", "flight_risk"))
@strawberry.enum
class Level(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@strawberry.enum
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


def enum_value(enum_cls: type[Enum], value: str | None) -> Enum | None:
    """The enum member for a stored value (None stays None)."""
    return None if value is None else enum_cls(value)
