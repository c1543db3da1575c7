"""Sitemaps: /sitemap.xml (an index of articles, sections, tags, authors) and the Google News sitemap.

/sitemap.xml is a sitemap index: each kind has its own sitemap, split into files of at most
50,000 addresses (the protocol's limit, `Sitemap.limit`), so the archive can grow past it.

Only published articles appear, and a section, tag or author appears only
when it has one; each entry's `lastmod` is its newest published article's
last change. Addresses are built on SITE_URL, not on the request's Host.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section

NEWS_WINDOW = timedelta(days=2)


class _SiteSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(_SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # For the index: one aggregate, not Django's default of loading every article to take the max.
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


def _latest_change(**filters):
    return Subquery(Article.objects.published().filter(**filters).order_by("-updated_at").values("updated_at")[:1])


class _WithLatestArticle(_SiteSitemap):
    changefreq = "daily"
    priority = 0.5

    def lastmod(self, obj):
        return obj.latest_change


class SectionSitemap(_WithLatestArticle):
    def items(self):
        return (
            Section.objects.annotate(latest_change=_latest_change(section=OuterRef("pk")))
            .filter(latest_change__isnull=False)
            .order_by("order", "name")
        )


class TagSitemap(_WithLatestArticle):
    def items(self):
        return (
            Tag.objects.annotate(latest_change=_latest_change(tags=OuterRef("pk")))
            .filter(latest_change__isnull=False)
            .exclude(slug="")  # a name with nothing sluggable ("---") has no page of its own
            .order_by("name")
        )

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(_WithLatestArticle):
    def items(self):
        return (
            Author.objects.annotate(latest_change=_latest_change(bylines__author=OuterRef("pk")))
            .filter(latest_change__isnull=False)
            .order_by("name")
        )


class NewsSitemap(_SiteSitemap):
    """Articles published in the last two days, as Google News asks.

    The schema requires at least one <url>, so on a day with no news the file lists the home page
    alone, without news elements: valid, and nothing for Google News to pick up.
    """

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return list(Article.objects.published().filter(published_at__gte=since).order_by("-published_at", "-id")) or [
            None
        ]

    def location(self, article):
        return article.get_absolute_url() if article is not None else reverse("articles:home")

    def lastmod(self, article):
        return article.updated_at if article is not None else None


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
