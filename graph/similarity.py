"""Similar responsibilities: differently named duties, owned by different positions, whose
name and description say nearly the same thing (需求分析 in 市场部 and 需求细节确认 in 研究所).

A pair is reported when

* its score is at least the threshold (default :data:`DEFAULT_THRESHOLD`); the score is the
  cosine of the two duties' TF-IDF vectors of character n-grams, defined in
  :mod:`rolegraph.textsim`, with the idf taken over every responsibility of the organisation;
* the two names differ (one duty under one name is the *shared responsibilities* question);
* both duties have owners (R or A positions) and the two sets of owners differ (the same
  positions holding two wordings of a duty is a matter of writing, not of boundaries).

The text index of the organisation's responsibilities is built once and kept per process and
database. Each request reads the graph's change stamp (:mod:`graph.changes`, one small query):
when a write since the index was built touched a responsibility, or the stamp cannot tell
(an import, another epoch, more writes than its log holds), the texts are read again, and the
vectors rebuilt if any text differs. So a duty renamed through the API, by this process or
another serving the same graph, shows in the next answer.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt

from graph.boundary import (
    OWNER_ROLES,
    CypherNames,
    Holder,
    Interface,
    department_scope,
    holders,
)
from graph.changes import read_stamp
from graph.db import Graph
from graph.errors import InvalidInput
from graph.repository import Record
from rolegraph.textsim import Pairs, TextIndex, duty_text, similar_pairs

#: pairs scoring below this are not reported. The demo's planted pairs score about 0.59
#: (需求分析 ~ 需求细节确认) and 0.57 (零件外观检验 ~ 零部件外观检查); no other demo pair
#: scores above 0.27.
DEFAULT_THRESHOLD = 0.40
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


@dataclass(frozen=True)
class SimilarDuty:
    responsibility: Record
    owners: list[Holder]


@dataclass(frozen=True)
class SimilarPair:
    """Two similar duties, the score and the terms that make it."""

    a: SimilarDuty
    b: SimilarDuty
    score: float
    shared_terms: list[str]


@dataclass(frozen=True)
class SimilarPage:
    threshold: float
    total: int  # pairs at or above the threshold
    pairs: list[SimilarPair]  # the best ``limit`` of them, best first


@dataclass(frozen=True)
class _Corpus:
    """Every responsibility's text, in id order, and their vectors."""

    epoch: str | None  # the change stamp it was read at
    version: int
    digest: str
    ids: list[str]
    names: list[str]
    texts: list[str]
    row: dict[str, int]
    name_codes: npt.NDArray[np.int64]  # equal names, equal codes
    index: TextIndex


_corpora: WeakKeyDictionary[Graph, _Corpus] = WeakKeyDictionary()
_locks: WeakKeyDictionary[Graph, asyncio.Lock] = WeakKeyDictionary()


def check_arguments(threshold: float, limit: int) -> None:
    if not 0 < threshold <= 1:
        raise InvalidInput(f"threshold must be above 0 and at most 1, not {threshold}",
                           field="threshold")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, not {limit}",
                           field="limit")


async def _corpus(graph: Graph) -> _Corpus:
    """The organisation's text index, rebuilt when stale (see the module docstring)."""
    n = CypherNames(graph)
    lock = _locks.setdefault(graph, asyncio.Lock())
    async with lock:
        stamp = await read_stamp(graph)
        cached = _corpora.get(graph)
        if cached is not None:
            touched = stamp.changes_since(cached.epoch, cached.version)
            if touched is not None and not any(c == "Responsibility" for c, _ in touched):
                return cached
        # one record holding a list: the driver's cost per record outweighs the query's
        rows = await graph.read(
            f"MATCH (r:{n.resp}) "
            f"RETURN collect([r.{n.rid}, r.{n.name}, r.{n.description}]) AS duties")
        duties = sorted(rows[0]["duties"] if rows else [], key=lambda d: str(d[0]))
        ids = [str(k) for k, _, _ in duties]
        names = [str(name) for _, name, _ in duties]
        texts = [duty_text(str(name), description) for _, name, description in duties]
        digest = hashlib.sha256("\x1e".join(
            f"{k}\x1f{t}" for k, t in zip(ids, texts, strict=True)).encode()).hexdigest()
        if cached is not None and cached.digest == digest:
            index = cached.index
        else:
            index = await asyncio.to_thread(TextIndex, texts)
        corpus = _Corpus(stamp.epoch, stamp.version, digest, ids, names, texts,
                         {k: i for i, k in enumerate(ids)}, _codes(names), index)
        _corpora[graph] = corpus
        return corpus


async def _owned_in(graph: Graph, depts: list[str]) -> list[str]:
    """Ids of the responsibilities that positions of these departments own (R or A)."""
    n = CypherNames(graph)
    rows = await graph.read(
        f"MATCH (d:{n.dept})<-[:{n.in_dept}]-(:{n.pos})-[h:{n.has}]->(r:{n.resp}) "
        f"WHERE d.{n.id} IN $depts AND h.{n.raci} IN $owner_roles "
        f"RETURN collect(DISTINCT r.{n.rid}) AS ids", depts=depts, owner_roles=list(OWNER_ROLES))
    return [str(k) for k in rows[0]["ids"]] if rows else []


async def _owners(graph: Graph, ids: Sequence[str] | None = None) -> dict[str, frozenset[str]]:
    """Responsibility id -> the ids of its owning positions (all of them, wherever they sit);
    of every owned responsibility when ``ids`` is None."""
    n = CypherNames(graph)
    if ids is not None and not ids:
        return {}
    # one record holding a list: the driver's cost per record outweighs the query's
    if ids is None:
        rows = await graph.read(
            f"MATCH (r:{n.resp})<-[h:{n.has}]-(p) WHERE h.{n.raci} IN $owner_roles "
            f"RETURN collect([r.{n.rid}, p.{n.pid}]) AS owners", owner_roles=list(OWNER_ROLES))
    else:
        rows = await graph.read(
            f"UNWIND $ids AS k MATCH (r:{n.resp} {{{n.rid}: k}})<-[h:{n.has}]-(p) "
            f"WHERE h.{n.raci} IN $owner_roles RETURN collect([k, p.{n.pid}]) AS owners",
            ids=list(ids), owner_roles=list(OWNER_ROLES))
    found: dict[str, set[str]] = {}
    for duty, position in rows[0]["owners"] if rows else ():
        found.setdefault(str(duty), set()).add(str(position))
    return {k: frozenset(v) for k, v in found.items()}


def _codes(values: Iterable[object]) -> npt.NDArray[np.int64]:
    """The same small integer for equal values."""
    seen: dict[object, int] = {}
    return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)


def _find_pairs(corpus: _Corpus, owners: dict[str, frozenset[str]], left: Iterable[str],
                right: Iterable[str] | None, threshold: float) -> Pairs:
    """Pairs (as corpus rows) of a ``left`` duty with a ``right`` one (or two ``left`` ones),
    at or above the threshold, differently named, with different owners (``owners`` must
    hold every left and right duty); each unordered pair once, best first, ties by row
    (= by id)."""
    left_rows = np.array(sorted(corpus.row[k] for k in left if k in corpus.row), dtype=np.int64)
    right_rows = (None if right is None else
                  np.array(sorted(corpus.row[k] for k in right if k in corpus.row),
                           dtype=np.int64))
    if left_rows.size == 0 or (right_rows is not None and right_rows.size == 0):
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty.copy(), np.zeros(0))
    matrix = corpus.index.matrix
    found = similar_pairs(matrix[left_rows], None if right_rows is None else matrix[right_rows],
                          threshold)
    a = left_rows[found.left]
    b = (left_rows if right_rows is None else right_rows)[found.right]
    pairs = Pairs(a, b, found.score)
    involved = np.unique(np.concatenate([a, b]))
    owner_codes = np.full(len(corpus.ids), -1, dtype=np.int64)
    owner_codes[involved] = _codes(owners[corpus.ids[i]] for i in involved.tolist())
    names = corpus.name_codes
    pairs = pairs.where((a != b) & (names[a] != names[b]) & (owner_codes[a] != owner_codes[b]))
    if right_rows is not None:  # a duty owned on both sides may pair twice: keep one
        key = np.minimum(pairs.left, pairs.right) * len(corpus.ids) + \
            np.maximum(pairs.left, pairs.right)
        _, first = np.unique(key, return_index=True)
        pairs = pairs.where(np.isin(np.arange(len(pairs)), first))
    return pairs


async def _page(graph: Graph, corpus: _Corpus, pairs: Pairs, threshold: float,
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
    corpus, owners = await asyncio.gather(_corpus(graph),
                                          _owners(graph))
    owned = sorted(owners)
    # the sparse products take a while on a large organisation: off the event loop
    if depts is None:
        pairs = await asyncio.to_thread(_find_pairs, corpus, owners, owned, None, threshold)
    else:
        pairs = await asyncio.to_thread(_find_pairs, corpus, owners,
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
    corpus, full = await asyncio.gather(_corpus(graph), _owners(graph, both))
    owners = {**left, **right, **full}
    pairs = await asyncio.to_thread(_find_pairs, corpus, owners, left, right, threshold)
    return await _page(graph, corpus, pairs, threshold, limit)
