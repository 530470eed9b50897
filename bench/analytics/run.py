"""Time the analytics on synthetic counts: prints figures, asserts nothing.

    .venv/bin/python bench/analytics/run.py [--units 2000] [--items 30] [--lenses 4]

Cells are units x items x lenses; each cell gets a 5-point distribution (for means and
top-box shares) and a 0-10 distribution (for NPS), drawn from multinomials around a
unit effect. Times the one-cell functions (what a unit page calls) and the array
functions (what a network page or heatmap calls), then the linkage across units.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from miroir.analytics import estimates, linkage, multiplicity, reliability, symmetry


def timed(label: str, cells: int, work: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    rate = cells / elapsed if elapsed else float("inf")
    print(f"  {label:<52} {elapsed * 1000:10.1f} ms  {rate:14,.0f} /s  ({cells:,})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--lenses", type=int, default=4)
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    units, cells = args.units, args.units * args.items * args.lenses
    print(f"{units:,} units x {args.items} items x {args.lenses} lenses = {cells:,} cells")

    # Synthetic counts: base n per cell, then multinomial answers tilted by a unit effect.
    n = rng.poisson(40, size=cells)
    effect = np.repeat(rng.normal(0, 0.5, size=units), args.items * args.lenses)
    logits5 = np.array([-1.0, -0.5, 0.0, 0.6, 0.4])[None, :] + np.outer(effect, np.arange(5) / 4)
    p5 = np.exp(logits5) / np.exp(logits5).sum(1, keepdims=True)
    start = time.perf_counter()
    answers5 = rng.multinomial(n, p5)
    p11 = np.full((cells, 11), 1 / 11)
    answers11 = rng.multinomial(n, p11)
    print(f"  (synthetic counts drawn in {(time.perf_counter() - start) * 1000:.0f} ms)")
    values = np.arange(1, 6)
    totals = answers5 @ values
    squares = answers5 @ values**2
    top = answers5[:, 4]
    promoters = answers11[:, 9:].sum(1)
    passives = answers11[:, 7:9].sum(1)
    detractors = answers11[:, :7].sum(1)

    print("array functions (network page, heatmaps), all cells:")
    timed("mean_table (t intervals)", cells, lambda: estimates.mean_table(n, totals, squares))
    timed("share_table (Wilson)", cells, lambda: estimates.share_table(top, n))
    timed(
        "nps_table (adjusted Wald)",
        cells,
        lambda: estimates.nps_table(promoters, passives, detractors),
    )

    one_unit = args.items * args.lenses
    sample = min(cells, 20_000)
    print(f"one-cell functions (a unit page has {one_unit} cells), {sample:,} cells:")
    dicts = [dict(zip(range(1, 6), map(int, row), strict=True)) for row in answers5[:sample]]
    timed("mean_from_counts", sample, lambda: [estimates.mean_from_counts(d) for d in dicts])
    timed(
        "mean_from_sums",
        sample,
        lambda: [
            estimates.mean_from_sums(
                n=int(n[i]), total=int(totals[i]), total_squares=int(squares[i])
            )
            for i in range(sample)
        ],
    )
    shares = timed(
        "top_box (agree5, Wilson)",
        sample,
        lambda: [estimates.top_box(d, scale="agree5") for d in dicts],
    )
    nps = timed(
        "nps_from_buckets",
        sample,
        lambda: [
            estimates.nps_from_buckets(
                promoters=int(promoters[i]),
                passives=int(passives[i]),
                detractors=int(detractors[i]),
            )
            for i in range(sample)
        ],
    )
    means = [estimates.mean_from_counts(d) for d in dicts]
    half = sample // 2
    timed(
        "change of a mean (Welch)",
        half,
        lambda: [estimates.change(means[i], means[half + i]) for i in range(half)],
    )
    share_changes = timed(
        "change of a share (Newcombe)",
        half,
        lambda: [estimates.change(shares[i], shares[half + i]) for i in range(half)],
    )
    timed(
        "  ... and its p-value (interval inverted)",
        half,
        lambda: [change.p_value for change in share_changes],
    )
    timed(
        "change of an NPS (adjusted Wald)",
        half,
        lambda: [estimates.change(nps[i], nps[half + i]) for i in range(half)],
    )

    print(f"across {units:,} units:")
    employee = rng.normal(60, 10, size=units)
    size = rng.integers(5, 300, size=units)
    customer = 20 + 0.5 * employee + rng.normal(0, 8, size=units)
    timed("pearson", units, lambda: linkage.pearson(employee, customer))
    timed("spearman", units, lambda: linkage.spearman(employee, customer))
    timed(
        "linkage_regression (HC3)",
        units,
        lambda: linkage.linkage_regression(customer, employee, size=size),
    )
    panel_e = rng.normal(size=(units, args.periods))
    panel_c = panel_e * 0.3 + rng.normal(size=(units, args.periods))
    timed(
        f"lagged_linkage ({args.periods} periods, clustered)",
        units * (args.periods - 1),
        lambda: linkage.lagged_linkage(panel_e, panel_c),
    )
    drivers = {f"d{k}": rng.normal(size=units) + employee / 10 for k in range(5)}
    timed(
        "relative_weights (5 drivers)", units, lambda: linkage.relative_weights(drivers, customer)
    )
    timed(
        "relative_weights (5 drivers, 1,000 resamples)",
        units,
        lambda: linkage.relative_weights(drivers, customer, resamples=1000),
    )
    unit_n = rng.integers(5, 60, size=units)
    unit_means = rng.normal(3.5, 0.3, size=units)
    unit_totals = unit_n * unit_means
    unit_squares = unit_n * (unit_means**2 + 0.8)
    timed(
        "reliability_from_sums (ICC)",
        units,
        lambda: reliability.reliability_from_sums(unit_n, unit_totals, unit_squares),
    )
    p_values = rng.random(units) ** 2
    timed("benjamini_hochberg", units, lambda: multiplicity.benjamini_hochberg(p_values))
    gaps = rng.normal(0, 10, size=(units, 6))
    timed(
        "symmetry_index",
        units,
        lambda: [
            symmetry.symmetry_index(
                experience_gaps=list(gaps[u, :4]),
                perception_gaps=list(gaps[u, 4:]),
                response_rate=(0.4, 0.5),
                answered_in_time=(0.7, 0.9),
                adopted=(0.2, 0.3),
                time_to_answer=(6.0, 2.0),
            )
            for u in range(units)
        ],
    )


if __name__ == "__main__":
    main()
