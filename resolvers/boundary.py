"""Root query fields of the boundary questions HR brings first: who owns what, where two
positions or departments both think a duty is theirs, or both think it is the other's.

Each takes an optional ``department`` (its id): the question is then asked of that department
and every department below it; without one, of the whole organisation. Thin: arguments are
checked here, the work is in graph/boundary.py and graph/similarity.py.
"""

# no `from __future__ import annotations`: strawberry reads the annotations below

from typing import Annotated

import strawberry

from domain import boundary as terms
from domain import similarity as pairs
from domain.errors import InvalidInput
from domain.records import Record
from graph import boundary, similarity
from resolvers.context import Info
from schema.gql.boundary import (
    AccountabilityGaps,
    DepartmentInterface,
    DepartmentShape,
    HeadcountStatus,
    PositionLayer,
    PositionSpan,
    RaciMatrix,
    SharedOrder,
    SharedResponsibilities,
    SharedResponsibility,
    SimilarResponsibilities,
)
from schema.gql.types import Department, Position

MAX_SHARED_PAGE = 1000
Scope = Annotated[strawberry.ID | None, strawberry.argument(
    description="the department (with all below it) to ask about; the whole organisation if "
                "left out")]


def _at_least_one(value: int, name: str) -> None:
    if value < 1:
        raise InvalidInput(f"{name} must be 1 or more, not {value}", field=name)


def _department(record: Record | None) -> Department | None:
    return None if record is None else Department.of(record)


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


class BoundaryQueries:
    """Query fields merged into the root Query type (resolvers/schema.py)."""

    @strawberry.field(description="Responsibilities that two or more positions hold in the same "
                                  "owning role (two R, or two A), each with its owners, their "
                                  "departments and whether they cross departments")
    async def shared_responsibilities(
            self, info: Info,
            department: Scope = None,
            min_owners: int = 2, order_by: SharedOrder = SharedOrder.OWNERS_DESC,
            offset: int = 0, limit: int = 100) -> SharedResponsibilities:
        if not 1 <= limit <= MAX_SHARED_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_SHARED_PAGE}, not {limit}",
                               field="limit")
        if offset < 0:
            raise InvalidInput(f"offset must be 0 or more, not {offset}", field="offset")
        page = await boundary.shared_responsibilities(
            info.context.graph, _id(department), min_owners,
            terms.SharedOrder(order_by.value), offset, limit)
        return SharedResponsibilities(total_count=page.total,
                                      items=[SharedResponsibility.of(d) for d in page.items])

    @strawberry.field(description="Responsibilities with no A, with more than one A, with no R; "
                                  "and positions with no responsibility at all")
    async def accountability_gaps(
            self, info: Info,
            department: Scope = None,
    ) -> AccountabilityGaps:
        gaps = await boundary.accountability_gaps(info.context.graph, _id(department))
        return AccountabilityGaps.of(gaps)

    @strawberry.field(description="Two departments (each with its sub-departments): the "
                                  "responsibilities both hold, similar duties between them and "
                                  "the reporting lines crossing between them")
    async def department_interface(
            self, info: Info, a: strawberry.ID, b: strawberry.ID,
            threshold: float = pairs.DEFAULT_THRESHOLD,
            limit: int = pairs.DEFAULT_LIMIT) -> DepartmentInterface:
        graph = info.context.graph
        pairs.check_arguments(threshold, limit)
        sides = await boundary.interface_sides(graph, str(a), str(b))
        found = await boundary.department_interface(graph, sides)
        similar = await similarity.similar_between(graph, found, threshold, limit)
        return DepartmentInterface.of(found, similar)

    @strawberry.field(description="Pairs of differently named responsibilities, owned by "
                                  "different positions, whose name and description say nearly "
                                  "the same thing: score (0-1) and shared terms, best first. "
                                  "With a department: pairs with at least one duty owned there")
    async def similar_responsibilities(
            self, info: Info,
            department: Scope = None,
            threshold: float = pairs.DEFAULT_THRESHOLD,
            limit: int = pairs.DEFAULT_LIMIT) -> SimilarResponsibilities:
        page = await similarity.similar_responsibilities(
            info.context.graph, _id(department), threshold, limit)
        return SimilarResponsibilities.of(page)

    @strawberry.field(description="The RACI matrix (responsibilities × positions) of a "
                                  "department (with all below it) or of a process; give one. "
                                  "Also as CSV: GET /raci.csv?department=... or ?process=...")
    async def raci_matrix(
            self, info: Info,
            department: Scope = None,
            process: Annotated[str | None, strawberry.argument(
                description="a business process (a responsibility's process)")] = None,
    ) -> RaciMatrix:
        matrix = await boundary.raci_matrix(info.context.graph, _id(department),
                                            process)
        return RaciMatrix.of(matrix)

    @strawberry.field(description="Span of control (direct-report positions) of every position "
                                  "that has direct reports, widest first")
    async def position_spans(
            self, info: Info,
            department: Scope = None,
            max_span: int = terms.DEFAULT_MAX_SPAN,
            over_limit_only: bool = False) -> list[PositionSpan]:
        _at_least_one(max_span, "max_span")
        spans = await boundary.position_spans(info.context.graph, _id(department))
        return [PositionSpan(position=Position.of(x.position),
                             department=_department(x.department), span=x.span,
                             direct_reports=[Position.of(p) for p in x.direct_reports],
                             over_limit=x.span > max_span)
                for x in spans if not over_limit_only or x.span > max_span]

    @strawberry.field(description="Management layer of every position (the top position is "
                                  "layer 1, each reporting step adds one), deepest first")
    async def position_layers(
            self, info: Info,
            department: Scope = None,
            max_layers: int = terms.DEFAULT_MAX_LAYERS,
            over_limit_only: bool = False) -> list[PositionLayer]:
        _at_least_one(max_layers, "max_layers")
        layers = await boundary.position_layers(info.context.graph, _id(department))
        return [PositionLayer(position=Position.of(x.position),
                              department=_department(x.department), layer=x.layer,
                              chain=[Position.of(p) for p in x.chain],
                              over_limit=x.layer > max_layers)
                for x in layers if not over_limit_only or x.layer > max_layers]

    @strawberry.field(description="Departments with the layers their own positions stack and "
                                  "their widest span; by default only those beyond a limit")
    async def department_shapes(
            self, info: Info,
            department: Scope = None,
            max_depth: int = terms.DEFAULT_MAX_DEPTH,
            max_span: int = terms.DEFAULT_MAX_SPAN,
            over_limit_only: bool = True) -> list[DepartmentShape]:
        _at_least_one(max_depth, "max_depth")
        _at_least_one(max_span, "max_span")
        shapes = await boundary.department_shapes(info.context.graph, _id(department))
        result = []
        for x in shapes:
            too_deep, too_wide = x.layers > max_depth, x.widest_span > max_span
            if over_limit_only and not (too_deep or too_wide):
                continue
            result.append(DepartmentShape(
                department=Department.of(x.department), layers=x.layers,
                top_layer=x.top_layer, bottom_layer=x.bottom_layer, widest_span=x.widest_span,
                widest_positions=[Position.of(p) for p in x.widest],
                too_deep=too_deep, too_wide=too_wide))
        return result

    @strawberry.field(description="Positions with more current incumbents than headcount "
                                  "(编制溢出) and positions with vacancies")
    async def headcount_status(
            self, info: Info,
            department: Scope = None,
    ) -> HeadcountStatus:
        status = await boundary.headcount_status(info.context.graph, _id(department))
        return HeadcountStatus.of(status)
