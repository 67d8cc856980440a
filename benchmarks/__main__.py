"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``)."""

from __future__ import annotations

from benchmarks import cache, cleanup, detection, follow, load, plan, startup

if __name__ == "__main__":
    for benchmark in (cache, cleanup, detection, follow, plan, load, startup):
        benchmark.main()
        print()
