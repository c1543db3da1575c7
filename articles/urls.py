from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, re_path, register_converter
from django.views.decorators.http import conditional_page

from articles import archive, citing, feeds, previews, views
from articles.sitemaps import SITEMAPS, NewsSitemap
from reex.pagecache import edge_only_page, reader_page


class TagSlugConverter:
    """A tag's slug as django-taggit makes it: letters of any script, digits, "_" and "-", never "/".

    Taggit keeps unicode in slugs (TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING=False), so a tag
    named "日本" has the slug "日本"; Django's <slug:> would refuse it and every page
    linking the tag would fail to reverse its URL.
    """

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TagSlugConverter, "tagslug")

app_name = "articles"

# Edge cache tags: what each page is about (reex/edge.py adds what invalidates it: lists, nav, article-<slug>).
_FEED = ("feeds",)
_SECTION_FEED = ("feeds", "section-{slug}")
_TAG_FEED = ("feeds", "tag-{slug}")
_AUTHOR_FEED = ("feeds", "author-{slug}")
_SITEMAP = ("sitemaps",)

# Reader pages opt into the whole-page cache with reader_page(); search and previews do not.
urlpatterns = [
    path("", reader_page(views.home, tags=("home",)), name="home"),
    # An edge keeps an article page at most an hour: its comment form carries the time it was rendered,
    # valid 2 hours (comments.moderation.FORM_MAX_AGE_SECONDS), so a reader always has an hour to write.
    path("news/<slug:slug>/", reader_page(views.article_detail, slug_kwarg="slug", edge_seconds=3600), name="detail"),
    path("section/<slug:slug>/", reader_page(views.section_detail, tags=("section-{slug}",)), name="section"),
    path("tag/<tagslug:slug>/", reader_page(views.tag_detail, tags=("tag-{slug}",)), name="tag"),
    path("author/<slug:slug>/", reader_page(views.author_detail, tags=("author-{slug}",)), name="author"),
    path("archive/", reader_page(archive.archive_index, tags=("archive",)), name="archive"),
    path(
        "archive/<int:year>/<int:month>/", reader_page(archive.archive_month, tags=("archive",)), name="archive-month"
    ),
    path("sources/<int:pk>/", reader_page(citing.source_detail, tags=("source-{pk}",)), name="source"),
    re_path(
        r"^sources/(?P<pk>[0-9]+)/citation\.(?P<extension>bib|ris|json)$",
        reader_page(citing.source_citation, tags=("source-{pk}",)),
        name="source-citation",
    ),
    re_path(
        r"^news/(?P<slug>[-a-zA-Z0-9_]+)/citation\.(?P<extension>bib|ris|json)$",
        citing.article_citation,
        name="article-citation",
    ),
    # Search answers are not stored in the page cache (any query would take Redis memory), but an edge
    # may keep them 5 minutes; a publication purges them with every list.
    path("search/", edge_only_page(views.search, tags=("search",), seconds=300), name="search"),
    # Feeds: the site, then the same per section, tag and author.
    path("feed/", reader_page(conditional_page(feeds.LatestRSS()), tags=_FEED), name="feed"),
    path("feed/atom/", reader_page(conditional_page(feeds.LatestAtom()), tags=_FEED), name="feed-atom"),
    path(
        "section/<slug:slug>/feed/",
        reader_page(conditional_page(feeds.SectionRSS()), tags=_SECTION_FEED),
        name="section-feed",
    ),
    path(
        "section/<slug:slug>/feed/atom/",
        reader_page(conditional_page(feeds.SectionAtom()), tags=_SECTION_FEED),
        name="section-feed-atom",
    ),
    path("tag/<tagslug:slug>/feed/", reader_page(conditional_page(feeds.TagRSS()), tags=_TAG_FEED), name="tag-feed"),
    path(
        "tag/<tagslug:slug>/feed/atom/",
        reader_page(conditional_page(feeds.TagAtom()), tags=_TAG_FEED),
        name="tag-feed-atom",
    ),
    path(
        "author/<slug:slug>/feed/",
        reader_page(conditional_page(feeds.AuthorRSS()), tags=_AUTHOR_FEED),
        name="author-feed",
    ),
    path(
        "author/<slug:slug>/feed/atom/",
        reader_page(conditional_page(feeds.AuthorAtom()), tags=_AUTHOR_FEED),
        name="author-feed-atom",
    ),
    # Machine-readable site maps.
    path(
        "sitemap.xml",
        reader_page(conditional_page(views.sitemap_index), tags=_SITEMAP),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        reader_page(conditional_page(sitemap_views.sitemap), tags=_SITEMAP),
        {"sitemaps": SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap-section",
    ),
    path(
        "news-sitemap.xml",
        reader_page(conditional_page(sitemap_views.sitemap), tags=_SITEMAP),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "articles/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path("robots.txt", reader_page(views.robots_txt, tags=("robots",)), name="robots"),
    # Previews of unpublished articles: staff, and signed share links for outside reviewers.
    path("preview/markdown/", previews.markdown_preview, name="markdown-preview"),
    path("preview/<int:pk>/", previews.staff_preview, name="preview"),
    path("preview/s/<str:token>/", previews.shared_preview, name="preview_shared"),
]
