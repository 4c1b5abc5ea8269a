"""Constraints and indexes from the ontology, created before any data is written (also the
uniqueness of the internal bookkeeping labels' keys, e.g. the one change stamp).

On the embedded engine an index created over existing data fixes the property's type and
silently converts later values, so this runs whenever Rolegraph connects, before imports.
All statements are ``IF NOT EXISTS``: running it again changes nothing.
"""

from __future__ import annotations

from graph.cypher import cypher_of
from graph.db import Graph
from schema.ontology import Ontology


def schema_statements(ontology: Ontology) -> list[str]:
    """The Cypher statements that create the ontology's constraints and indexes."""
    cy = cypher_of(ontology)
    statements: list[str] = []
    for spec in ontology.classes.values():
        label, key = cy.label(spec.name), cy.key(spec.name)
        statements.append(
            f"CREATE CONSTRAINT {spec.name.lower()}_{spec.key}_unique IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
        )
        for prop in spec.indexes:
            statements.append(
                f"CREATE INDEX {spec.name.lower()}_{prop} IF NOT EXISTS "
                f"FOR (n:{label}) ON (n.{cy.prop(spec.name, prop)})"
            )
    for internal in ontology.internal.values():
        label = cy.internal_label(internal.name)
        key = cy.internal_prop(internal.name, internal.key)
        statements.append(
            f"CREATE CONSTRAINT {internal.name.lower()}_{internal.key}_unique IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
        )
    return statements


async def ensure_schema(graph: Graph) -> None:
    """Create every constraint and index the ontology asks for (idempotent)."""
    for statement in schema_statements(graph.ontology):
        await graph.write(statement)
