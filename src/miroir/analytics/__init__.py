"""The statistics of Miroir: estimates, gaps, linkage, reliability and the symmetry index.

Pure Python, NumPy and SciPy on purpose: nothing here imports Django, so every figure
can be checked against SciPy and statsmodels on the same data and reused from the CLI.
The conventions and formulas are documented in ``docs/analytics.md``.
"""
