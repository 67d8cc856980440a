"""Judging a run: collecting its results, its numbers, regressions against the baseline, cost."""
