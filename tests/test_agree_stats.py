"""The agreement statistics against the `krippendorff` package and published worked examples."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grondmotief.analysis.agreement import cohen_kappa, krippendorff_alpha_nominal, percent_agreement

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, values 1-5 with missing data; nominal alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def _nan(data: list[list[int | None]]) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)


def test_krippendorff_worked_example_with_missing_values() -> None:
    assert round(krippendorff_alpha_nominal(KRIPPENDORFF_2011), 3) == 0.743
    # Same figure as the reference implementation, to the last digit.
    assert krippendorff_alpha_nominal(KRIPPENDORFF_2011) == pytest.approx(
        krippendorff.alpha(reliability_data=_nan(KRIPPENDORFF_2011), level_of_measurement="nominal"), abs=1e-12
    )


def test_krippendorff_binary_example_two_coders() -> None:
    # Krippendorff (2011), section A: two observers, 10 units, binary data; alpha = 0.095.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(krippendorff_alpha_nominal([a, b]), 3) == 0.095


def test_cohen_kappa_textbook_example() -> None:
    # The classic 2x2 example (e.g. Wikipedia "Cohen's kappa"): 50 grant proposals,
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15 → p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = ["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert percent_agreement([a, b]) == pytest.approx(0.7)


def test_cohen_kappa_second_textbook_example() -> None:
    # Wikipedia's second example: 100 items, 45/15/25/15 → p_o 0.6, p_e 0.54, kappa 0.1304.
    a = ["y"] * 45 + ["y"] * 15 + ["n"] * 25 + ["n"] * 15
    b = ["y"] * 45 + ["n"] * 15 + ["y"] * 25 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.1304, abs=1e-4)


def test_undefined_cases_are_none_not_nan() -> None:
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None  # one value only: no expected disagreement
    assert krippendorff_alpha_nominal([[1, N], [N, 0]]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([]) is None
    assert cohen_kappa([0, 0], [0, 0]) is None
    assert cohen_kappa([1, N], [N, 0]) is None
    assert percent_agreement([[1, N], [N, 1]]) is None


def test_perfect_and_systematic_disagreement() -> None:
    assert krippendorff_alpha_nominal([[0, 1, 0, 1], [0, 1, 0, 1]]) == pytest.approx(1.0)
    assert cohen_kappa([0, 1, 0, 1], [1, 0, 1, 0]) == pytest.approx(-1.0)
    assert krippendorff_alpha_nominal([[0, 1, 0, 1], [1, 0, 1, 0]]) < 0


def test_percent_agreement_with_three_coders_weights_units_equally() -> None:
    # Unit 1: all agree (1.0); unit 2: 1 of 3 pairs agree (1/3); unit 3 has two values that differ (0).
    data = [[1, 1, 1], [1, 0, 0], [1, 1, N]]
    assert percent_agreement(data) == pytest.approx((3 * 1.0 + 3 * (1 / 3) + 2 * 0.0) / 8)


values = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda coders: st.integers(min_value=1, max_value=25).flatmap(
            lambda units: st.lists(st.lists(values, min_size=units, max_size=units), min_size=coders, max_size=coders)
        )
    )
)
def test_alpha_matches_the_krippendorff_package(data: list[list[int | None]]) -> None:
    ours = krippendorff_alpha_nominal(data)
    pairable = [u for u in range(len(data[0])) if sum(row[u] is not None for row in data) >= 2]
    present = {row[u] for u in pairable for row in data if row[u] is not None}
    if not pairable or len(present) < 2:
        assert ours is None
        return
    reference = krippendorff.alpha(reliability_data=_nan(data), level_of_measurement="nominal")
    assert ours is not None and not math.isnan(ours)
    assert ours == pytest.approx(reference, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=40))
def test_two_coder_alpha_is_small_sample_corrected_scotts_pi(pairs: list[tuple[int, int]]) -> None:
    """With two coders and no missing values, alpha = 1 - (2n-1)/(2n) * (1 - Scott's pi)."""
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    shares = [(a.count(v) + b.count(v)) / (2 * n) for v in set(a) | set(b)]
    expected = sum(p * p for p in shares)
    alpha = krippendorff_alpha_nominal([a, b])
    if expected == 1.0:
        assert alpha is None
        return
    pi = (observed - expected) / (1 - expected)
    assert alpha == pytest.approx(1 - (2 * n - 1) / (2 * n) * (1 - pi), abs=1e-12)
    assert percent_agreement([a, b]) == pytest.approx(observed)
