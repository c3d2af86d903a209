import pytest

from tests.bench.support import phb_bench


@pytest.fixture
def bench_on():
    """As under `make bench`: PHB_BENCH=1, so the bench app and its URLs are there."""
    with phb_bench(on=True):
        yield
