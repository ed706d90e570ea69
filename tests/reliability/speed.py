"""CPU-time bounds that hold on a slow or shared machine: a bound is scaled by how much slower
than a reference machine this one runs plain Python right now, measured only when a bound is
exceeded. A blow-up (orders of magnitude) still fails; a machine at half speed does not."""

from __future__ import annotations

import time

# CPU seconds `_reference_work` takes on the machine the bounds were set on (a quiet 2-core VM).
REFERENCE_SECONDS = 0.085


def _reference_work() -> float:
    start = time.process_time()
    total = 0
    for value in range(1_000_000):
        total += value * value
    return time.process_time() - start


def slowdown() -> float:
    """How many times slower than the reference this machine runs now (at least 1; the best of
    three measurements, so one interruption does not inflate it)."""
    return max(1.0, min(_reference_work() for _ in range(3)) / REFERENCE_SECONDS)


def over(spent: float, bound: float) -> bool:
    """Whether `spent` CPU seconds exceed `bound` on this machine at its current speed."""
    return spent > bound and spent > bound * slowdown()
