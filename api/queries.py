"""Reads behind the Content API. Everything starts from `Article.objects.published()`.

Articles reuse the reader site's one-query brief (`articles.queries.with_brief`)
and its full-text match (`articles.search_query.search_matches`). Filters on
related rows are EXISTS probes, never joins, so an article citing three
peer-reviewed papers is listed once and the plan stays flat at any size.

Pagination is by keyset ("cursor"): the page after the last row seen, by the
ordering column and then the id, so rows added or removed meanwhile never make
a page repeat or skip another.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import JSONObject
from taggit.models import Tag, TaggedItem

from articles.models import Article, ArticleAuthor, Author, Citation, Section, Source
from articles.queries import with_brief, with_bylines
from articles.search_query import search_matches

# ordering name: (column, descending)
ARTICLE_ORDERINGS = {
    "-published_at": ("published_at", True),
    "published_at": ("published_at", False),
    "title": ("title", False),
    "-title": ("title", True),
}


def _tagged(tag_slug):
    return TaggedItem.objects.filter(
        object_id=OuterRef("pk"),
        content_type__app_label="articles",
        content_type__model="article",
        tag__slug=tag_slug,
    )


def articles_filtered(
    *, q=None, section=None, tag=None, author=None, doi=None, evidence=None, published_from=None, published_to=None
):
    """Published articles matching every given filter (None = not filtered)."""
    articles = search_matches(q) if q else Article.objects.published()
    if section is not None:
        articles = articles.filter(section__slug=section)
    if tag is not None:
        articles = articles.filter(Exists(_tagged(tag)))
    if author is not None:
        articles = articles.filter(Exists(ArticleAuthor.objects.filter(article=OuterRef("pk"), author__slug=author)))
    if doi is not None:
        articles = articles.filter(Exists(Citation.objects.filter(article=OuterRef("pk"), source__doi=doi)))
    if evidence is not None:
        articles = articles.filter(Exists(Citation.objects.filter(article=OuterRef("pk"), source__evidence=evidence)))
    if published_from is not None:
        articles = articles.filter(published_at__date__gte=published_from)
    if published_to is not None:
        articles = articles.filter(published_at__date__lte=published_to)
    return articles


def keyset_page(queryset, *, column, descending, after, limit):
    """One page ordered by (column, id), starting after the (value, id) pair `after`; one row more than `limit`
    is fetched so the caller knows whether there is a next page."""
    sign = "-" if descending else ""
    queryset = queryset.order_by(f"{sign}{column}", f"{sign}id")
    if after is not None:
        value, pk = after
        op = "lt" if descending else "gt"
        queryset = queryset.filter(Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"id__{op}": pk}))
    return list(queryset[: limit + 1])


def article_rows(queryset, *, brief: bool):
    """The article rows with their authors and tags, and with `brief=True` every part of the brief."""
    return with_brief(queryset) if brief else with_bylines(queryset)


def _citing_briefs():
    return ArraySubquery(
        Citation.objects.filter(source=OuterRef("pk"), article__in=Article.objects.published())
        .order_by("-article__published_at", "-article__id")
        .values(row=JSONObject(slug="article__slug", title="article__title", published_at="article__published_at"))
    )


def sources_cited():
    """Sources a reader may see: cited by at least one published article (as the site's source pages)."""
    cited = Citation.objects.filter(source=OuterRef("pk"), article__in=Article.objects.published())
    return Source.objects.filter(Exists(cited))


def with_citing_briefs(sources):
    return sources.annotate(citing_briefs=_citing_briefs())


def authors_published():
    """Authors with at least one published article: an author known only from a draft is not announced."""
    return Author.objects.filter(
        Exists(ArticleAuthor.objects.filter(author=OuterRef("pk"), article__in=Article.objects.published()))
    )


def sections_all():
    return Section.objects.order_by("order", "name", "id")


def tags_published():
    """Tags of published articles only: a tag used only by a draft may name an embargoed story."""
    used = TaggedItem.objects.filter(
        tag=OuterRef("pk"),
        content_type__app_label="articles",
        content_type__model="article",
        object_id__in=Article.objects.published().values("pk"),
    )
    return Tag.objects.filter(Exists(used))
