"""RSS 2.0 and Atom feeds: the whole site, and the same per section, tag and author.

Each item carries the standfirst, the highlights and the citation (see
templates/articles/feed_item_description.html). Items come from
`Article.objects.published()` with the brief aggregated into the same row
(articles.queries), so a feed is one query however many items it has.
Links are absolute on SITE_URL, not on whatever Host header came in.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from articles.models import Article, Author, Section
from articles.queries import attach_brief, with_brief

FEED_SIZE = 20


class _ArticleFeed(Feed):
    feed_type = Rss201rev2Feed
    description_template = "articles/feed_item_description.html"
    language = "en"
    feed_path_name = "articles:feed"

    # --- the channel ---
    def title(self, obj=None):
        return settings.SITE_NAME if obj is None else f"{obj} · {settings.SITE_NAME}"

    def description(self, obj=None):
        return settings.SITE_TAGLINE

    subtitle = description

    def link(self, obj=None):
        return settings.SITE_URL + (obj.get_absolute_url() if obj is not None else "/")

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return settings.SITE_URL + reverse(self.feed_path_name, kwargs=kwargs)

    def feed_copyright(self):
        return f"© {settings.SITE_NAME}"

    # --- the items ---
    def filter_articles(self, queryset, obj):
        return queryset

    def items(self, obj=None):
        queryset = self.filter_articles(with_brief(Article.objects.published()), obj)
        return [attach_brief(article) for article in queryset[:FEED_SIZE]]

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item):
        # Stable across slug changes: the id never changes, the address may.
        return f"tag:{urlsplit(settings.SITE_URL).hostname},2025:article:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.significant_update_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.byline_authors) or None

    def item_author_link(self, item):
        if len(item.byline_authors) == 1:
            return settings.SITE_URL + item.byline_authors[0].get_absolute_url()
        return None

    def item_categories(self, item):
        categories = [tag.name for tag in item.tag_list]
        if item.section_id:
            categories.insert(0, item.section.name)
        return categories


class LatestRSS(_ArticleFeed):
    pass


class LatestAtom(LatestRSS):
    feed_type = Atom1Feed
    feed_path_name = "articles:feed-atom"


class SectionRSS(_ArticleFeed):
    feed_path_name = "articles:section-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def description(self, obj=None):
        return obj.description or f"{obj.name}: research briefs from {settings.SITE_NAME}."

    subtitle = description

    def filter_articles(self, queryset, obj):
        return queryset.filter(section=obj)


class SectionAtom(SectionRSS):
    feed_type = Atom1Feed
    feed_path_name = "articles:section-feed-atom"


class TagRSS(_ArticleFeed):
    feed_path_name = "articles:tag-feed"

    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not Article.objects.published().filter(tags__slug=tag.slug).exists():
            raise Http404("No published articles with this tag")
        return tag

    def link(self, obj=None):
        return settings.SITE_URL + reverse("articles:tag", kwargs={"slug": obj.slug})

    def description(self, obj=None):
        return f"Research briefs tagged {obj.name}, from {settings.SITE_NAME}."

    subtitle = description

    def filter_articles(self, queryset, obj):
        return queryset.filter(tags__slug=obj.slug)


class TagAtom(TagRSS):
    feed_type = Atom1Feed
    feed_path_name = "articles:tag-feed-atom"


class AuthorRSS(_ArticleFeed):
    feed_path_name = "articles:author-feed"

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def description(self, obj=None):
        return f"Research briefs by {obj.name}, from {settings.SITE_NAME}."

    subtitle = description

    def filter_articles(self, queryset, obj):
        return queryset.filter(bylines__author=obj)


class AuthorAtom(AuthorRSS):
    feed_type = Atom1Feed
    feed_path_name = "articles:author-feed-atom"
