from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark harness: installed only when PHB_BENCH is set (settings.PHB_BENCH), never in production."""

    name = "phb_readiness.bench"
    label = "bench"
    verbose_name = "Benchmark"
