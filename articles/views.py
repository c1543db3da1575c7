"""Reader pages. Thin: parse the request, run one read from articles.queries, render.

Every read starts from `Article.objects.published()`, so drafts, articles in
review, unpublished and scheduled articles never reach a reader page.

The archive is in articles/archive.py, a source's page and the citation files in articles/citing.py,
the lists' paginator in articles/pagination.py.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from taggit.models import Tag, TaggedItem

from articles import jsonld
from articles.models import Article, ArticleAuthor, Author, Section, SlugRedirect
from articles.pagination import PAGE_SIZE, _cards, _paginate
from articles.queries import attach_brief, with_brief
from articles.search_query import (
    RANK_WINDOW,
    SUGGEST_BELOW,
    FacetOption,
    SearchForm,
    attach_snippets,
    search_cards,
    search_facets,
    search_ranked_ids,
    search_suggestion,
)

RELATED_COUNT = 4
RELATED_CANDIDATES = 200


def _canonical(request, path=None, page=None) -> str:
    url = settings.SITE_URL + (path or request.path)
    number = page.number if page is not None else 1
    return f"{url}?page={number}" if number > 1 else url


def _meta(
    request, *, title, description="", path=None, page=None, image="", image_alt="", og_type="website", robots=""
):
    if page is not None and page.number > 1:
        title = f"{title} (page {page.number})"
    return {
        "title": title,
        "description": description or settings.SITE_TAGLINE,
        "canonical": _canonical(request, path, page),
        "image": image,
        "image_alt": image_alt,
        "og_type": og_type,
        "robots": robots,
    }


@require_safe
def home(request):
    published = Article.objects.published()
    # The newest featured article, else the newest article: one query either way.
    featured = _cards(published).order_by("-featured", "-published_at", "-id").first()
    if featured is not None:
        attach_brief(featured)
        published = published.exclude(pk=featured.pk)
    page = _paginate(request, published)
    return render(
        request,
        "articles/article_home.html",
        {
            "featured": featured if page.number == 1 else None,
            "page_obj": page,
            "jsonld": jsonld.website_graph() if page.number == 1 else None,
            "meta": _meta(request, title=settings.SITE_NAME, page=page),
        },
    )


@require_safe
def article_detail(request, slug):
    # No validators of its own: the page cache (reex.pagecache) gives every cacheable page its
    # ETag and Last-Modified and answers conditional requests without rendering.
    article = with_brief(Article.objects.published()).filter(slug=slug).first()
    if article is None:
        redirect = (
            SlugRedirect.objects.filter(old_slug=slug, article__in=Article.objects.published())
            .select_related("article")
            .first()
        )
        if redirect is not None:
            return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
        raise Http404("No such article")
    return render_article(request, article)


def _related(article):
    """Published articles sharing the most tags with `article`, then others from its section."""
    tag_ids = [tag.id for tag in article.tag_list]
    if not tag_ids and article.section_id is None:
        return []
    shared = (
        TaggedItem.objects.filter(
            object_id=OuterRef("pk"),
            content_type__app_label="articles",
            content_type__model="article",
            tag_id__in=tag_ids,
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    # Rank only the most recent related coverage: counting shared tags for every
    # published article cost over a second a page at 100k articles. The newest
    # RELATED_CANDIDATES that share a tag or the section come from the
    # (status, published_at) index with one EXISTS probe each, so the cost stays
    # flat however large the archive grows.
    # The article is matched with >= and <= rather than =: with an equality PostgreSQL may turn
    # "shares a tag OR same section" into a hash of every row tagged with these tags (15,000 at
    # 100k articles, 100-250 ms) before the LIMIT; a range keeps it a probe of the
    # (content_type, object_id, tag) index per candidate, and it stops at RELATED_CANDIDATES.
    shares_a_tag = Exists(
        TaggedItem.objects.filter(
            content_type__app_label="articles",
            content_type__model="article",
            object_id__gte=OuterRef("pk"),
            object_id__lte=OuterRef("pk"),
            tag_id__in=tag_ids,
        )
    )
    candidates = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(shares_a_tag | Q(section_id=article.section_id))
        .order_by("-published_at", "-id")
        .values("pk")[:RELATED_CANDIDATES]
    )
    queryset = (
        Article.objects.filter(pk__in=candidates)
        .select_related("section")
        .annotate(shared_tags=Coalesce(Subquery(shared[:1]), 0))
        .order_by("-shared_tags", "-published_at", "-id")
    )
    return list(queryset[:RELATED_COUNT])


def render_article(request, article, *, preview=False, preview_note="") -> HttpResponse:
    """The full article page. Also used by the staff preview (preview=True), which must never be cached or indexed."""
    if not hasattr(article, "brief_highlights"):
        article = with_brief(Article.objects.filter(pk=article.pk)).get()
    attach_brief(article)
    image = jsonld.hero_image_url(article)
    context = {
        "article": article,
        "related": _related(article),
        "preview": preview,
        "preview_note": preview_note,
        "jsonld": jsonld.article_graph(article),
        "meta": _meta(
            request,
            title=article.title,
            description=article.standfirst,
            path=article.get_absolute_url(),
            image=image,
            image_alt=article.hero_alt,
            og_type="article",
            robots="noindex" if preview else "",
        ),
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = _paginate(request, Article.objects.published().filter(section=section))
    return render(
        request,
        "articles/section_detail.html",
        {
            "section": section,
            "page_obj": page,
            "meta": _meta(request, title=section.name, description=section.description, page=page),
        },
    )


@require_safe
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    published = Article.objects.published()
    # The cards probe each of the newest articles for the tag (a semi-join on the publication index),
    # so a tag on 5,000 of 100k articles costs a few probes, not a join and sort of all 5,000; the
    # count, which stops after a few pages, is cheapest as a join.
    tagged = TaggedItem.objects.filter(
        object_id=OuterRef("pk"), content_type__app_label="articles", content_type__model="article", tag=tag
    )
    page = _paginate(
        request,
        published.filter(tags__slug=tag.slug),
        _cards(published.filter(Exists(tagged))),
        windowed=True,
    )
    if not page.paginator.count:
        # A tag used only on drafts must not reveal that it exists.
        raise Http404("No published articles with this tag")
    return render(
        request,
        "articles/tag_detail.html",
        {
            "tag": tag,
            "page_obj": page,
            "meta": _meta(request, title=f"{tag.name}", description=f"Research briefs tagged {tag.name}.", page=page),
        },
    )


@require_safe
def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    published = Article.objects.published()
    # As on tag pages: cards by a semi-join on the publication index, the short count by a join.
    page = _paginate(
        request,
        published.filter(bylines__author=author),
        _cards(published.filter(Exists(ArticleAuthor.objects.filter(article=OuterRef("pk"), author=author)))),
        windowed=True,
    )
    return render(
        request,
        "articles/author_detail.html",
        {
            "author": author,
            "page_obj": page,
            "meta": _meta(
                request,
                title=author.name,
                description=author.bio[:300] or f"Research briefs by {author.name}.",
                page=page,
                image=jsonld.absolute(author.photo.url) if author.photo else "",
                og_type="profile",
            ),
        },
    )


def _search_page_number(raw, paginator) -> int | None:
    """The page to show, or None when `raw` is already it; a bad value means 1, past the end means the last."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 1
    wanted = min(max(number, 1), paginator.num_pages)
    return None if raw is not None and str(wanted) == raw else wanted


def _search_filters_described(form, facets) -> list[str]:
    """The filters in force, in words ("in Policy", "tagged russia"), for the "nothing matched" message."""
    data, described = form.cleaned_data, []
    if data.get("section"):
        described.append(f"in {data['section'].name}")
    if data.get("tag"):
        label = next((o.label for o in facets["tag"] if o.value == data["tag"]), data["tag"])
        described.append(f"tagged {label}")
    if data.get("kind"):
        described.append(f"citing a source of type “{dict(form.fields['kind'].choices)[data['kind']]}”")
    if data.get("year"):
        described.append(f"from {data['year']}")
    if data.get("date_from"):
        described.append(f"published from {data['date_from']:%-d %B %Y}")
    if data.get("date_to"):
        described.append(f"published to {data['date_to']:%-d %B %Y}")
    return described


@require_safe
def search(request):
    form = SearchForm(request.GET or None)
    page = suggestion = matches_found = facets = None
    if form.is_valid() and form.has_words():
        q, filters = form.cleaned_data["q"], form.filters()
        matches_found, ranked_ids = search_ranked_ids(q, **filters)
        paginator = Paginator(ranked_ids, PAGE_SIZE)
        raw = request.GET.get("page")
        corrected = _search_page_number(raw, paginator)
        if raw is not None and corrected is not None:
            # Out of range or not a number: the nearest real page, at its own address.
            query = request.GET.copy()
            query.pop("page")
            if corrected > 1:
                query["page"] = corrected
            return redirect(f"{request.path}?{query.urlencode()}")
        page = paginator.page(corrected or int(raw))
        page.object_list = attach_snippets(search_cards(page.object_list), q)
        facets = search_facets(ranked_ids, tag=filters["tag"], year=filters["year"])
        if matches_found < SUGGEST_BELOW:
            suggestion = search_suggestion(q, **filters)
    query = form.data.get("q", "") if form.is_bound else ""
    return render(
        request,
        "articles/article_search.html",
        {
            "form": form,
            # The section filter's options: from the counting query when there is one, else one query
            # (the form field's own choices would cost two).
            "section_choices": facets["section"]
            if facets
            else [FacetOption(s.slug, s.name, None) for s in Section.objects.only("name", "slug")],
            "facets": facets,
            "active_filters": _search_filters_described(form, facets) if page is not None else [],
            "page_obj": page,
            "matches_found": matches_found,
            "more_than_window": matches_found is not None and matches_found > RANK_WINDOW,
            "rank_window": RANK_WINDOW,
            "suggestion": suggestion,
            "search_query": query,
            "meta": _meta(
                request,
                title=f"Search: {query[:80]}" if query else "Search",
                description=f"Search {settings.SITE_NAME}'s research briefs.",
                path=reverse("articles:search"),
                robots="noindex, follow",
            ),
        },
    )


def sitemap_index(request, **kwargs):
    """Django's sitemap index, with its addresses on SITE_URL like every sitemap's (not the request's Host)."""
    response = sitemap_views.index(request, **kwargs)
    site = urlsplit(settings.SITE_URL)
    response.context_data["sitemaps"] = [
        sitemap_views.SitemapIndexItem(
            urlunsplit(urlsplit(item.location)._replace(scheme=site.scheme, netloc=site.netloc)), item.last_mod
        )
        for item in response.context_data["sitemaps"]
    ]
    return response


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_URL}",
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('articles:sitemap')}",
        f"Sitemap: {settings.SITE_URL}{reverse('articles:news-sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
