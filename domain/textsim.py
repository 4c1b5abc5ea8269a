"""Text similarity of duties: TF-IDF over character n-grams, sparse cosine, shared terms.

Chinese has no spaces between words, so a duty's text is cut into character n-grams rather
than words: "检查零部件外观缺陷" gives 检查, 查零, 零部, ..., 检查零, ... . The same
n-grams work for English (and mixed text such as "OA、ERP账号"): within each word,
"inspect" gives in, ns, ..., ins, nsp, ... . The vectors and the neighbour search come from
scikit-learn and SciPy.

**Score.** For two duties with texts *a* and *b* (name, a space, description)::

    score(a, b) = cos(v(a), v(b)) = v(a) · v(b)        (vectors are L2-normalised)

    v(t)[g]  = (1 + ln tf(g, t)) × idf(g), then v(t) is divided by its L2 norm
    idf(g)   = ln((1 + n) / (1 + df(g))) + 1

where *g* runs over the character 2- and 3-grams inside the words of the text (lower-cased,
punctuation replaced by spaces; ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3),
sublinear_tf=True)``), *tf* is how often *g* occurs in *t*, *n* is the number of duties in the
corpus and *df(g)* the number of duties containing *g*. N-grams found in more than
``max(5 % of n, 20)`` duties are dropped as boilerplate (负责, 工作, a department name in every
description); they say nothing about what a duty is. A score is between 0 (nothing in common)
and 1 (the same n-grams in the same proportions).

**Shared terms** explain a score: the n-grams both texts contain, merged where they overlap
into the longest pieces found in both texts (外观, 观缺, 缺陷 → 外观缺陷), ranked by how much
they add to the score (the sum of v(a)[g] × v(b)[g] over their n-grams).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

#: n-gram sizes (characters, within words)
NGRAM_RANGE = (2, 3)
#: n-grams in more than this share of the duties (and more than BOILERPLATE_MIN) are dropped
BOILERPLATE_SHARE = 0.05
BOILERPLATE_MIN = 20
#: rows multiplied at once in the neighbour search (bounds memory: rows × corpus size)
CHUNK_ROWS = 2000

_NOT_WORD = re.compile(r"[\W_]+")

#: a ``scipy.sparse.csr_matrix`` (SciPy gives mypy no types for it)
Matrix: TypeAlias = Any
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def normalise(text: str) -> str:
    """Lower-case, punctuation and symbols replaced by single spaces."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


def duty_text(name: str, description: str | None) -> str:
    """The text a duty is compared by: its name and its description."""
    return f"{name} {description or ''}"


@dataclass(frozen=True)
class Pairs:
    """Pairs of rows with their scores, as parallel arrays (``left[k]``, ``right[k]``,
    ``score[k]``), best first."""

    left: Ints
    right: Ints
    score: Floats

    def __len__(self) -> int:
        return int(self.score.shape[0])

    def where(self, keep: npt.NDArray[np.bool_]) -> Pairs:
        return Pairs(self.left[keep], self.right[keep], self.score[keep])

    def top(self, count: int) -> Pairs:
        return Pairs(self.left[:count], self.right[:count], self.score[:count])


class TextIndex:
    """A corpus of texts as TF-IDF vectors (one row per text), fitted once.

    ``texts`` must hold at least one text with two letters in a word.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=NGRAM_RANGE, preprocessor=normalise,
            sublinear_tf=True, dtype=np.float64,
            max_df=max(int(BOILERPLATE_SHARE * self.size), BOILERPLATE_MIN))
        try:
            matrix = self.vectorizer.fit_transform(texts)
        except ValueError:  # nothing to compare by (no text has two letters in a word)
            self.vectorizer = None
            matrix = sp.csr_matrix((self.size, 1))
        self.matrix: Matrix = sp.csr_matrix(matrix)
        self._grams: npt.NDArray[Any] | None = None

    @property
    def grams(self) -> npt.NDArray[Any]:
        """The n-gram of each column."""
        if self._grams is None:
            self._grams = (np.array([""]) if self.vectorizer is None
                           else self.vectorizer.get_feature_names_out())
        return self._grams

    def shared_terms(self, a: Matrix, text_a: str, b: Matrix, text_b: str,
                     limit: int = 6) -> list[str]:
        """The terms two texts share (vectors ``a`` and ``b``, one row each), most weight
        first; see the module docstring."""
        weights = a.multiply(b).tocsr()
        grams: dict[str, float] = {}
        for col, weight in zip(weights.indices, weights.data, strict=True):
            gram = str(self.grams[col]).strip()  # char_wb pads words with a space
            if weight > 0 and len(gram) >= 2:
                grams[gram] = grams.get(gram, 0.0) + float(weight)
        return merge_terms(normalise(text_a), normalise(text_b), grams, limit)


def merge_terms(a: str, b: str, grams: dict[str, float], limit: int) -> list[str]:
    """Merge the shared n-grams ``grams`` (n-gram -> weight) into the longest pieces of text
    ``a`` that text ``b`` also contains, heaviest first; a piece inside a heavier one is left
    out, and so are Latin pieces under three letters."""
    covered = [False] * len(a)
    for gram in grams:
        start = a.find(gram)
        while start >= 0:
            covered[start:start + len(gram)] = [True] * len(gram)
            start = a.find(gram, start + 1)
    pieces: dict[str, float] = {}
    position = 0
    while position < len(a):
        if not covered[position]:
            position += 1
            continue
        end = position
        while end < len(a) and covered[end]:
            end += 1
        for piece in _pieces_in(a[position:end], b):
            if len(piece) >= (3 if piece.isascii() else 2):
                pieces[piece] = sum(w for g, w in grams.items() if g in piece)
        position = end
    ranked = sorted(pieces.items(), key=lambda item: (-item[1], item[0]))
    terms: list[str] = []
    for piece, _ in ranked:
        if not any(piece in term for term in terms):  # 需求 after 客户需求 says nothing new
            terms.append(piece)
    return terms[:limit]


def _pieces_in(run: str, other: str) -> list[str]:
    """Cut ``run`` greedily into the longest pieces (two characters or more) found in
    ``other``."""
    pieces: list[str] = []
    start = 0
    while start < len(run) - 1:
        end = len(run)
        while end - start >= 2 and run[start:end] not in other:
            end -= 1
        if end - start >= 2:
            piece = run[start:end].strip()
            if len(piece) >= 2:
                pieces.append(piece)
            start = end
        else:
            start += 1
    return pieces


def similar_pairs(left: Matrix, right: Matrix | None, threshold: float,
                  chunk_rows: int = CHUNK_ROWS) -> Pairs:
    """Every pair of rows scoring at least ``threshold``, best first (ties by row numbers).

    ``right=None``: pairs within ``left`` (row i < row j, a row is not paired with itself);
    otherwise pairs of a row of ``left`` with a row of ``right``. The scores are sparse matrix
    products ``left[chunk] @ right.T``, a chunk of rows at a time, keeping only the entries
    at or above the threshold, so memory stays bounded and no Python loop visits pairs.
    """
    other = left if right is None else right
    other_t = sp.csr_matrix(other.T)
    lefts: list[Ints] = []
    rights: list[Ints] = []
    scores: list[Floats] = []
    for start in range(0, left.shape[0], chunk_rows):
        block = sp.coo_matrix(left[start:start + chunk_rows] @ other_t)
        keep = block.data >= threshold
        rows = block.row[keep].astype(np.int64) + start
        cols = block.col[keep].astype(np.int64)
        data = block.data[keep].astype(np.float64)
        if right is None:
            upper = rows < cols
            rows, cols, data = rows[upper], cols[upper], data[upper]
        lefts.append(rows)
        rights.append(cols)
        scores.append(data)
    if not scores:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty.copy(), np.zeros(0, dtype=np.float64))
    rows_all, cols_all = np.concatenate(lefts), np.concatenate(rights)
    score_all = np.round(np.concatenate(scores), 6).astype(np.float64)  # ties despite noise
    order = np.lexsort((cols_all, rows_all, -score_all))
    return Pairs(rows_all[order], cols_all[order], score_all[order])
