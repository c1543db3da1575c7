"""How much the CSL citations (citeproc-py, articles/citations.py) cost a page that is not cached.

An article page renders each source in five styles (APA, Chicago, IEEE, Harvard, Vancouver) and the
brief itself in the same five. citeproc-py is pure Python, so the first rendering of an item in a
style is slow; renderings are memoised per process (lru_cache, keyed by the CSL-JSON item), so a
worker pays that once per item and style. This prints and writes bench/results/citations.json:
the cost of loading each style, of a first (cold) rendering, of a rendering read from the shared cache
(a new worker) and of a repeated one in the same process (warm), per demo source, in milliseconds
(median of several runs). Clears the configured cache: run it against a cache of its own. Run: DEBUG=true .venv/bin/python -m bench.citations
"""

import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402

from articles import citations  # noqa: E402
from articles.management.commands._demo_content import SOURCES  # noqa: E402
from articles.models import Source  # noqa: E402

RUNS = 5


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main():
    sources = [Source(**fields) for fields in SOURCES.values()]
    load, cold, shared, warm = [], [], [], []
    for _ in range(RUNS):
        citations._style.cache_clear()
        citations._memo.clear()
        cache.clear()
        load.append(_ms(lambda: [citations._style(f) for _, f in citations.CITATION_STYLES.values()]))
        cold.append(_ms(lambda: [citations.source_citations(s) for s in sources]) / len(sources))
        citations._memo.clear()  # a new worker: only the shared cache (Redis) has them
        shared.append(_ms(lambda: [citations.source_citations(s) for s in sources]) / len(sources))
        warm.append(_ms(lambda: [citations.source_citations(s) for s in sources]) / len(sources))
    result = {
        "styles": len(citations.CITATION_STYLES),
        "demo_sources": len(sources),
        "load_all_styles_ms": round(statistics.median(load), 1),
        "cold_per_source_all_styles_ms": round(statistics.median(cold), 1),
        "shared_cache_per_source_all_styles_ms": round(statistics.median(shared), 2),
        "warm_per_source_all_styles_ms": round(statistics.median(warm), 2),
        "cache": cache.__class__.__name__,
    }
    out = Path(__file__).resolve().parent / "results" / "citations.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
