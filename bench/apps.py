from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark tooling (seed_scale). Installed only when BENCH_TOOLS is on: development, tests, `make bench`."""

    name = "bench"
    verbose_name = "Benchmarks"
