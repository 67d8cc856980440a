"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``)."""

from __future__ import annotations

from benchmarks import cleanup, detection, follow

if __name__ == "__main__":
    cleanup.main()
    detection.main()
    follow.main()
