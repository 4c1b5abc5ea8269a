"""Similar responsibilities in the graph: the duties' texts and owners, read for the pair
search of :mod:`domain.similarity` (which says when a pair is reported and how it scores).

The text index of the organisation's responsibilities is kept per process and database in a
:class:`graph.cache.StampedCache`: when a write since the index was built touched a
responsibility, or the stamp cannot tell (an import, another epoch, more writes than its log
holds), the texts are read again, and the vectors rebuilt if any text differs. So a duty
renamed through the API, by this process or another serving the same graph, shows in the next
answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from domain.boundary import OWNER_ROLES, Interface
from domain.similarity import (
    DEFAULT_LIMIT,
    DEFAULT_THRESHOLD,
    Corpus,
    SimilarDuty,
    SimilarPage,
    SimilarPair,
    check_arguments,
    find_pairs,
)
from domain.textsim import Pairs
from graph.boundary import department_scope, holders
from graph.cache import StampedCache
from graph.changes import Touched
from graph.db import Graph


async def _read_corpus(graph: Graph, previous: Corpus | None) -> Corpus:
    """Every responsibility's text (the vectors of ``previous`` kept when no text changed)."""
    c = graph.cy
    # one record holding a list: the driver's cost per record outweighs the query's
    rows = await graph.read(
        f"MATCH (r:{c.L.Responsibility}) RETURN collect([r.{c.key('Responsibility')}, "
        f"r.{c.prop('Responsibility', 'name')}, r.{c.prop('Responsibility', 'description')}]) "
        "AS duties")
    duties = [(str(k), str(name), description)
              for k, name, description in (rows[0]["duties"] if rows else [])]
    # fitting the vectors takes a while on a large organisation: off the event loop
    return await asyncio.to_thread(Corpus.of, duties, previous)


async def _same_corpus(graph: Graph, corpus: Corpus, touched: list[Touched]) -> Corpus | None:
    """The corpus stays while the writes touched no responsibility."""
    return None if any(c == "Responsibility" for c, _ in touched) else corpus


_corpora: StampedCache[Corpus] = StampedCache(_read_corpus, _same_corpus)


async def _owned_in(graph: Graph, depts: list[str]) -> list[str]:
    """Ids of the responsibilities that positions of these departments own (R or A)."""
    c = graph.cy
    rows = await graph.read(
        f"MATCH (p:{c.L.Position})-[h:{c.T.HAS_RESPONSIBILITY}]->(r:{c.L.Responsibility}) "
        f"MATCH {c.department_of('Position', 'p', 'd')} "
        f"WHERE d.{c.key('Department')} IN $depts "
        f"AND h.{c.rel_prop('HAS_RESPONSIBILITY', 'raci')} IN $owner_roles "
        f"RETURN collect(DISTINCT r.{c.key('Responsibility')}) AS ids",
        depts=depts, owner_roles=list(OWNER_ROLES))
    return [str(k) for k in rows[0]["ids"]] if rows else []


async def _owners(graph: Graph, ids: Sequence[str] | None = None) -> dict[str, frozenset[str]]:
    """Responsibility id -> the ids of its owning positions (all of them, wherever they sit);
    of every owned responsibility when ``ids`` is None."""
    if ids is not None and not ids:
        return {}
    c = graph.cy
    has, raci = c.T.HAS_RESPONSIBILITY, c.rel_prop("HAS_RESPONSIBILITY", "raci")
    # one record holding a list: the driver's cost per record outweighs the query's
    if ids is None:
        rows = await graph.read(
            f"MATCH (r:{c.L.Responsibility})<-[h:{has}]-(p) WHERE h.{raci} IN $owner_roles "
            f"RETURN collect([r.{c.key('Responsibility')}, p.{c.key('Position')}]) AS owners",
            owner_roles=list(OWNER_ROLES))
    else:
        rows = await graph.read(
            f"UNWIND $ids AS k MATCH {c.node('r', 'Responsibility', 'k')}<-[h:{has}]-(p) "
            f"WHERE h.{raci} IN $owner_roles RETURN collect([k, p.{c.key('Position')}]) "
            "AS owners", ids=list(ids), owner_roles=list(OWNER_ROLES))
    found: dict[str, set[str]] = {}
    for duty, position in rows[0]["owners"] if rows else ():
        found.setdefault(str(duty), set()).add(str(position))
    return {k: frozenset(v) for k, v in found.items()}


async def _page(graph: Graph, corpus: Corpus, pairs: Pairs, threshold: float,
                limit: int) -> SimilarPage:
    top = pairs.top(limit)
    ids = sorted({corpus.ids[int(i)] for i in np.concatenate([top.left, top.right])})
    found = await holders(graph, ids, OWNER_ROLES)
    matrix = corpus.index.matrix
    result = []
    for a, b, score in zip(top.left.tolist(), top.right.tolist(), top.score.tolist(),
                           strict=True):
        ra, oa = found[corpus.ids[a]]
        rb, ob = found[corpus.ids[b]]
        terms = corpus.index.shared_terms(matrix[a], corpus.texts[a], matrix[b], corpus.texts[b])
        result.append(SimilarPair(SimilarDuty(ra, oa), SimilarDuty(rb, ob), round(score, 4),
                                  terms))
    return SimilarPage(threshold, len(pairs), result)


async def similar_responsibilities(graph: Graph, department: str | None = None,
                                   threshold: float = DEFAULT_THRESHOLD,
                                   limit: int = DEFAULT_LIMIT) -> SimilarPage:
    """Similar pairs among the organisation's owned duties; with a department, the pairs in
    which at least one duty is owned by a position of its subtree (the other may sit
    anywhere: that is where boundaries blur). The pair's duties are in id order."""
    check_arguments(threshold, limit)
    depts = await department_scope(graph, department)
    corpus, owners = await asyncio.gather(_corpora.get(graph),
                                          _owners(graph))
    owned = sorted(owners)
    # the sparse products take a while on a large organisation: off the event loop
    if depts is None:
        pairs = await asyncio.to_thread(find_pairs, corpus, owners, owned, None, threshold)
    else:
        pairs = await asyncio.to_thread(find_pairs, corpus, owners,
                                        await _owned_in(graph, depts), owned, threshold)
        lo, hi = np.minimum(pairs.left, pairs.right), np.maximum(pairs.left, pairs.right)
        order = np.lexsort((hi, lo, -pairs.score))
        pairs = Pairs(lo[order], hi[order], pairs.score[order])
    return await _page(graph, corpus, pairs, threshold, limit)


async def similar_between(graph: Graph, interface: Interface,
                          threshold: float = DEFAULT_THRESHOLD,
                          limit: int = DEFAULT_LIMIT) -> SimilarPage:
    """Similar pairs of a duty owned on side ``a`` of a department interface with one owned
    on side ``b`` (the ``a`` duty first).

    Two such duties can have the same owners only if both are owned on both sides (an owner
    on side a of the one must own the other too, and so on), so full owner sets are read for
    those few; for the others the owners on their side tell them apart.
    """
    check_arguments(threshold, limit)
    left, right = interface.owned_a, interface.owned_b
    both = sorted(set(left) & set(right))
    corpus, full = await asyncio.gather(_corpora.get(graph), _owners(graph, both))
    owners = {**left, **right, **full}
    pairs = await asyncio.to_thread(find_pairs, corpus, owners, left, right, threshold)
    return await _page(graph, corpus, pairs, threshold, limit)
