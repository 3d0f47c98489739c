"""The per-feature figures: PSI, and a two-sample test (KS for numbers, chi-squared for
categories) with its p-value from SciPy's distributions. Pure functions over numpy arrays;
the reference side is prepared once per reference (``NumericReference``,
``CategoricalReference``) and reused for every window."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Dict, Hashable, Iterable, List, NamedTuple, Tuple

import numpy

PSI_BINS = 10
# an empty bin's share: keeps ln(a/e) finite, as the usual PSI implementations do
EPSILON = 1e-4


class Figures(NamedTuple):
    psi: float
    test: str  # "ks" or "chi2"
    statistic: float
    p_value: float


class NumericReference:
    """A numeric column's reference: its values sorted, and the PSI bins' edges (its deciles)."""

    def __init__(self, values: numpy.ndarray):
        values = numpy.asarray(values, dtype=float)
        self.sorted = numpy.sort(values[~numpy.isnan(values)])
        quantiles = numpy.quantile(self.sorted, numpy.linspace(0, 1, PSI_BINS + 1)[1:-1]) if len(self.sorted) else []
        self.edges = numpy.unique(quantiles)
        self.shares = _shares(bin_counts(self.sorted, self.edges))
        self._cdf = None

    @property
    def cdf(self) -> numpy.ndarray:
        """The reference's empirical CDF at each of its own values: the same for every window, so kept."""
        if self._cdf is None:
            self._cdf = right_ranks(self.sorted) / len(self.sorted)
        return self._cdf


def bin_counts(values: numpy.ndarray, edges: numpy.ndarray) -> numpy.ndarray:
    """How many of the sorted ``values`` fall in each bin (``x < edges[0]``, ``edges[0] <= x <
    edges[1]``, …, ``x >= edges[-1]``): a lookup per edge, not one per value."""
    cuts = numpy.searchsorted(values, edges, side="left")
    return numpy.diff(numpy.concatenate(([0], cuts, [len(values)])))


class CategoricalReference:
    """A categorical column's reference: each value's count."""

    def __init__(self, counts: Dict[str, int]):
        self.counts = counts


def _shares(counts: numpy.ndarray) -> numpy.ndarray:
    total = counts.sum()
    shares = counts / total if total else numpy.zeros(len(counts))
    return numpy.maximum(shares, EPSILON)


def psi(expected: numpy.ndarray, actual: numpy.ndarray) -> float:
    """Population stability index of two share vectors over the same bins."""
    return float(numpy.sum((actual - expected) * numpy.log(actual / expected)))


def ks(reference: numpy.ndarray, current: numpy.ndarray, reference_cdf=None) -> Tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov: the largest gap between the two empirical CDFs (both
    sorted), and its asymptotic p-value from SciPy's Kolmogorov distribution — what
    ``scipy.stats.ks_2samp(method="asymp")`` gives (the tests hold them equal), without
    importing scipy.stats (a second of a short process) or re-sorting the cached reference.
    ``reference_cdf``: ``right_ranks(reference) / n``, when kept (``NumericReference.cdf``)."""
    from scipy.special import kolmogorov

    n, m = len(reference), len(current)
    # both CDFs step only at the samples' points: compare them there, each side's own CDF from its ranks
    own = right_ranks(reference) / n if reference_cdf is None else reference_cdf
    at_reference = own - numpy.searchsorted(current, reference, side="right") / m
    at_current = numpy.searchsorted(reference, current, side="right") / n - right_ranks(current) / m
    statistic = float(max(numpy.max(numpy.abs(at_reference)), numpy.max(numpy.abs(at_current))))
    return statistic, float(kolmogorov(math.sqrt(n * m / (n + m)) * statistic))


def right_ranks(values: numpy.ndarray) -> numpy.ndarray:
    """For a sorted array, how many values are <= each one (``searchsorted(values, values, "right")``,
    in one pass: the end of each run of equal values, repeated over the run)."""
    ends = numpy.flatnonzero(numpy.r_[values[1:] != values[:-1], True]) + 1
    return numpy.repeat(ends, numpy.diff(numpy.r_[0, ends]))


def chi2(table: numpy.ndarray) -> Tuple[float, float]:
    """Pearson's chi-squared test of independence of a 2 x k table of counts (no empty column), as
    ``scipy.stats.chi2_contingency(table, correction=False)``; the p-value from SciPy's
    chi-squared survival function."""
    from scipy.special import chdtrc

    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    return statistic, float(chdtrc(table.shape[1] - 1, statistic))


def numeric(reference: NumericReference, current: numpy.ndarray) -> Figures:
    """PSI over the reference's deciles, and the two-sample KS test."""
    current = numpy.asarray(current, dtype=float)
    current = numpy.sort(current[~numpy.isnan(current)])
    if len(current) == 0 or len(reference.sorted) == 0:
        return Figures(0.0, "ks", 0.0, 1.0)
    bins = bin_counts(current, reference.edges)
    statistic, p_value = ks(reference.sorted, current, reference.cdf)
    return Figures(psi(reference.shares, _shares(bins)), "ks", statistic, p_value)


def typed_counts(values: Iterable[Any]) -> Counter:
    """Counts keyed by (type, value): ``True == 1`` in Python, and a label True isn't the number 1.
    Counted in C; a list or an object among the values (unhashable) is counted by its repr, under
    its own type (so its caller can tell such values from strings)."""
    values = list(values)
    try:
        return Counter(zip(map(type, values), values))
    except TypeError:
        return Counter((type(v), v) if isinstance(v, Hashable) else (type(v), repr(v)) for v in values)


def counts(values: Iterable[Any]) -> Dict[str, int]:
    """Each category's count, values spelt by ``category`` (counted raw first: the spelling is
    done once per distinct value, not once per row). Keyed by type too: ``True == 1`` in Python."""
    spelt: Dict[str, int] = {}
    raw = typed_counts(values)
    for (_, value), count in raw.items():
        key = category(value)
        spelt[key] = spelt.get(key, 0) + count
    return spelt


def categorical(reference: CategoricalReference, seen: Dict[str, int]) -> Figures:
    """PSI over the categories of both sides (``seen``: the window's ``counts``), and the
    chi-squared test of the 2 x k table (is the category independent of which side a row came from?)."""
    categories: List[str] = sorted(set(reference.counts) | set(seen))
    expected = numpy.array([reference.counts.get(c, 0) for c in categories], dtype=float)
    actual = numpy.array([seen.get(c, 0) for c in categories], dtype=float)
    if actual.sum() == 0 or expected.sum() == 0:
        return Figures(0.0, "chi2", 0.0, 1.0)
    value = psi(_shares(expected), _shares(actual))
    if len(categories) < 2:
        return Figures(value, "chi2", 0.0, 1.0)
    statistic, p_value = chi2(numpy.vstack([expected, actual]))
    return Figures(value, "chi2", statistic, p_value)


def category(value) -> str:
    """One spelling per value on both sides: a CSV's ``true`` and JSON's ``true`` are the same category."""
    if value is None or (isinstance(value, float) and value != value):
        return "null"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
