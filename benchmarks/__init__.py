"""Benchmarks: each prints its gain as a ratio against a baseline measured in the same run."""
