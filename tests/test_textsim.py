"""The text similarity of duties (domain/textsim.py), without a graph: Chinese and English
wording, the score's definition, shared terms, and the chunked neighbour search."""

from __future__ import annotations

import numpy as np
import pytest
from api_client import demo_rows

from domain.textsim import (
    TextIndex,
    duty_text,
    merge_terms,
    normalise,
    similar_pairs,
)

ENGLISH = [
    "Inspect part appearance for defects (scratches, flash, colour) and record rejects",
    "Check the appearance of parts for defects such as scratches and flash; record rejected parts",
    "Prepare the monthly payroll and hand out pay slips",
    "Negotiate prices and payment terms with suppliers",
    "Maintain the CNC machines: daily checks, lubrication and repairs",
]


def _demo_texts() -> tuple[list[str], list[str]]:
    rows = demo_rows("responsibilities.csv")
    return [r["id"] for r in rows], [duty_text(r["name"], r["description"]) for r in rows]


def test_text_is_lower_cased_without_punctuation() -> None:
    assert normalise("检查（缩水、飞边）， OA/ERP账号!") == "检查 缩水 飞边 oa erp账号"
    assert duty_text("零件清点", None) == "零件清点 "


def test_english_wording_of_one_duty_pairs_up() -> None:
    """Two English wordings of the appearance check score high; unrelated duties do not."""
    index = TextIndex(ENGLISH)
    pairs = similar_pairs(index.matrix, None, 0.3)
    assert list(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == [(0, 1)]
    assert pairs.score[0] > 0.6
    terms = index.shared_terms(index.matrix[0], ENGLISH[0], index.matrix[1], ENGLISH[1])
    assert {"appearance", "scratches", "defects"} <= set(terms)


def test_score_is_the_cosine_of_normalised_tfidf_vectors() -> None:
    """score(a, b) = v(a) · v(b) with unit vectors: 1 for a text with itself, symmetric."""
    ids, texts = _demo_texts()
    index = TextIndex(texts)
    norms = np.sqrt(index.matrix.multiply(index.matrix).sum(axis=1)).A1
    assert np.allclose(norms, 1.0)
    a, b = ids.index("R0079"), ids.index("R0087")
    ab = float((index.matrix[a] @ index.matrix[b].T).toarray()[0, 0])
    ba = float((index.matrix[b] @ index.matrix[a].T).toarray()[0, 0])
    assert ab == pytest.approx(ba)
    assert 0.5 < ab < 0.7


def test_demo_pairs_above_and_below_the_default_threshold() -> None:
    """The two planted pairs score far above 0.40; the best unplanted pair far below."""
    ids, texts = _demo_texts()
    index = TextIndex(texts)
    pairs = similar_pairs(index.matrix, None, 0.0001)
    named = [(ids[i], ids[j]) for i, j in zip(pairs.left, pairs.right, strict=True)]
    assert named[:2] == [("R0008", "R0045"), ("R0079", "R0087")]
    assert pairs.score[1] > 0.55
    assert pairs.score[2] < 0.3


def test_shared_terms_merge_overlapping_ngrams() -> None:
    ids, texts = _demo_texts()
    index = TextIndex(texts)
    a, b = ids.index("R0008"), ids.index("R0045")
    terms = index.shared_terms(index.matrix[a], texts[a], index.matrix[b], texts[b])
    assert terms[:3] == ["性能指标与验收标准", "明确产品功能范围", "客户需求"]
    assert "需求" not in terms  # inside 客户需求, which ranks higher


def test_merge_terms_keeps_pieces_found_in_both_texts() -> None:
    a, b = "检查零件外观缺陷", "检查零部件外观缺陷"
    grams = {"检查": 1.0, "零件": 0.5, "外观": 2.0, "观缺": 1.0, "缺陷": 1.0, "查零": 0.2}
    assert merge_terms(a, b, grams, 5) == ["件外观缺陷", "检查零"]


def test_chunked_search_equals_one_product() -> None:
    """The neighbour search multiplies a chunk of rows at a time; the chunk size must not
    change the answer (pairs within one matrix, and between two)."""
    _, texts = _demo_texts()
    matrix = TextIndex(texts).matrix
    whole = similar_pairs(matrix, None, 0.1, chunk_rows=10_000)
    chunked = similar_pairs(matrix, None, 0.1, chunk_rows=7)
    assert len(whole) > 5
    for field in ("left", "right", "score"):
        assert np.array_equal(getattr(whole, field), getattr(chunked, field))
    across = similar_pairs(matrix[:70], matrix[70:], 0.1, chunk_rows=9)
    got = set(zip(across.left.tolist(), (across.right + 70).tolist(), across.score.tolist(),
                  strict=True))
    expected = {(i, j, s) for i, j, s in zip(whole.left.tolist(), whole.right.tolist(),
                                              whole.score.tolist(), strict=True)
                if i < 70 <= j}
    assert got == expected and got


def test_texts_without_words_give_no_pairs() -> None:
    index = TextIndex(["", "。", "-"])
    assert len(similar_pairs(index.matrix, None, 0.1)) == 0
