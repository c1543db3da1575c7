"""Template tags for reader pages: sidebar and navigation reads, images, citations, snippets."""

from django import template
from django.core.files.storage import default_storage
from django.utils import timezone

from articles import citations
from articles.models import Article, Section
from articles.search_query import snippet_html

register = template.Library()

RECENT_NEWS_COUNT = 5

# Layout widths the browser chooses a rendition for (see site.css: main column 8/12 of 1320px).
HERO_SIZES = "(min-width: 1400px) 856px, (min-width: 992px) calc(66vw - 3rem), calc(100vw - 2rem)"
CARD_SIZES = "(min-width: 992px) 240px, (min-width: 576px) 33vw, 100vw"


@register.simple_tag
def recent_news():
    """The latest published articles for the sidebar: one query."""
    return list(Article.objects.published().only("title", "slug", "published_at")[:RECENT_NEWS_COUNT])


@register.simple_tag
def nav_sections():
    return list(Section.objects.only("name", "slug"))


def _renditions(article) -> list[tuple[int, str]]:
    pairs = []
    for width, path in (article.hero_renditions or {}).items():
        try:
            pairs.append((int(width), default_storage.url(path)))
        except (TypeError, ValueError):
            continue
    return sorted(pairs)


@register.filter
def hero_srcset(article) -> str:
    return ", ".join(f"{url} {width}w" for width, url in _renditions(article))


@register.filter
def hero_src(article, max_width=1200) -> str:
    """The fallback `src`: the widest rendition up to `max_width`, else the original upload."""
    renditions = _renditions(article)
    fitting = [url for width, url in renditions if width <= int(max_width)]
    if fitting:
        return fitting[-1]
    if renditions:
        return renditions[0][1]
    return article.hero_image.url if article.hero_image else ""


@register.filter
def has_hero(article) -> bool:
    return bool(article.hero_renditions or article.hero_image)


@register.simple_tag
def hero_sizes(kind="hero"):
    return HERO_SIZES if kind == "hero" else CARD_SIZES


@register.filter
def iso_datetime(value) -> str:
    """A `datetime` attribute value: local time to the second (HTML allows at most 3 fractional digits)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def apa_html(source):
    return citations.source_apa_html(source)


@register.filter
def apa_text(source):
    return citations.source_apa(source)


@register.simple_tag
def source_citations(source):
    """[{key, label, html, text}] of the "Cite this" box's styles for a source."""
    return citations.source_citations(source)


@register.simple_tag
def article_citations(article):
    """The same for the brief itself, cited as a news article."""
    return citations.article_citations(article)


@register.filter
def search_snippet(snippet):
    return snippet_html(snippet)


@register.simple_tag(takes_context=True)
def search_suggestion_query(context, suggestion):
    """The current search's query string with `q` replaced by `suggestion`, from the first page."""
    query = context["request"].GET.copy()
    query["q"] = suggestion
    query.pop("page", None)
    return query.urlencode()


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current address with ?page=`number`, keeping the other query parameters (search filters)."""
    query = context["request"].GET.copy()
    if int(number) > 1:
        query["page"] = number
    else:
        query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else context["request"].path


@register.filter
def hero_position(article) -> str:
    """The CSS object-position that keeps the hero's focal point in every crop (object-fit: cover)."""
    x = min(max(float(getattr(article, "hero_focal_x", 0.5) or 0), 0.0), 1.0)
    y = min(max(float(getattr(article, "hero_focal_y", 0.5) or 0), 0.0), 1.0)
    return f"{x * 100:.1f}% {y * 100:.1f}%"
