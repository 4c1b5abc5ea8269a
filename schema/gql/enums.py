"""GraphQL enums; their values are the ontology's allowed values (a test checks they agree)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What kind of work a position does")
class PositionCategory(Enum):
    MANAGEMENT = "management"
    TECHNICAL = "technical"
    OPERATIONS = "operations"
    SUPPORT = "support"


@strawberry.enum(description="RACI role of a position for a responsibility")
class Raci(Enum):
    R = "R"
    A = "A"
    C = "C"
    I = "I"  # noqa: E741 - the RACI letter


@strawberry.enum(description="How soon a successor can take over")
class Readiness(Enum):
    READY_NOW = "ready_now"
    READY_1_2_YEARS = "ready_1_2_years"
    READY_3_PLUS_YEARS = "ready_3_plus_years"


@strawberry.enum
class ContractType(Enum):
    FIXED_TERM = "fixed_term"
    OPEN_ENDED = "open_ended"
    TASK_BASED = "task_based"


@strawberry.enum(description="Whether a higher or a lower KPI value is better")
class KpiDirection(Enum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


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


# ontology property -> GraphQL enum, for the agreement test and for reading records
ENUM_PROPERTIES: dict[tuple[str, str], type[Enum]] = {
    ("Position", "category"): PositionCategory,
    ("HAS_RESPONSIBILITY", "raci"): Raci,
    ("NOMINATED_SUCCESSOR", "readiness"): Readiness,
    ("Contract", "type"): ContractType,
    ("KPI", "direction"): KpiDirection,
    ("Employee", "potential"): Level,
    ("Employee", "flight_risk"): Level,
}
