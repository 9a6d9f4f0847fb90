"""Run NumPy's matrix products on one BLAS thread inside the analysis stages that do many small ones.

The duplicate search, the duplicate index and the theme stage multiply many small blocks (a bucket of a few hundred
vectors, a handful of queries). With the default of one BLAS thread per core, each of those products pays a thread
hand-off that costs more than the product itself, and far more on a machine busy with other work: on 100,000 items
the duplicate stage took 6–8 s with two BLAS threads and 2 s with one; the index look-up of 1,000 new items 2.5 s
and 0.07 s (benchmarks/results/feedback_scale.md). The embedding runtime has its own threads and is not affected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread for the duration (no-op when threadpoolctl is not installed)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on threadpoolctl
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
