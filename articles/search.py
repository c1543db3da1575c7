"""Full-text search: the stored, weighted search vector of an article.

Weights: A = title; B = standfirst and highlights; C = the rest of the brief
(intro, findings, free sections, signals, limitations, bottom line) and the
cited sources. The vector is stored in `Article.search_vector` (GIN-indexed)
and refreshed after every save of an article and its parts, so a search never
computes vectors at query time.
"""

from django.contrib.postgres.search import SearchVector
from django.db.models import Value
from django.utils.html import strip_tags

SEARCH_CONFIG = "english"


def _document(article) -> dict[str, str]:
    highlights = [h.text for h in article.highlights.all()]
    rest = [
        strip_tags(article.intro_html) or article.intro,
        strip_tags(article.bottom_line_html) or article.bottom_line,
    ]
    rest += [f"{f.headline} {f.explanation}" for f in article.findings.all()]
    rest += [f"{s.heading} {s.body}" for s in article.sections.all()]
    rest += [s.text for s in article.signals.all()]
    rest += [f"{lim.label} {lim.text}" for lim in article.limitations.all()]
    for citation in article.citations.select_related("source"):
        source = citation.source
        rest.append(f"{source.title} {source.authors} {source.container} {source.year or ''} {source.doi or ''}")
    tags = [tag.name for tag in article.tags.all()]
    return {
        "A": article.title,
        "B": " ".join([article.standfirst, *highlights]),
        "C": " ".join([*rest, *tags]),
    }


def refresh_search_vector(article) -> None:
    """Recompute and store the article's search vector from its current rows."""
    from articles.models import Article

    document = _document(article)
    vector = (
        SearchVector(Value(document["A"]), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(document["B"]), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(document["C"]), weight="C", config=SEARCH_CONFIG)
    )
    Article.objects.filter(pk=article.pk).update(search_vector=vector)
