"""The performance suite: `python -m tests.benchmarks [--quick] [--output PATH]`.

Each figure is measured side by side with a reference tool in the same run, alternating runs,
so the ratios hold on a shared, noisy machine even when absolute seconds drift. Modules are
named `bench_*.py` so pytest never collects them; CI runs `--quick` so the suite cannot rot.
"""
