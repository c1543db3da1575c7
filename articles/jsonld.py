"""Structured data (schema.org JSON-LD) for article pages.

The page is a NewsArticle *about* sources, so the sources appear in
`citation` and `isBasedOn`, each typed as what it is (ScholarlyArticle,
Report, Dataset, Legislation, …) and identified by its DOI. We deliberately emit no Highwire `citation_*` meta tags: those would
tell Google Scholar that our page *is* the paper.
"""

import json

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles.source_types import kind_mapping

LOGO_PATH = "img/reex-logo.png"
LOGO_SIZE = (600, 60)

# The same escapes as django.utils.html.json_script: inside <script>, "</script>"
# or "<!--" in an article's text must not end or change the script element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def rendition_urls(article) -> list[tuple[int, str]]:
    """(width, absolute URL) of the article's WebP renditions, narrowest first."""
    renditions = article.hero_renditions or {}
    pairs = []
    for width, path in renditions.items():
        try:
            pairs.append((int(width), absolute(default_storage.url(path))))
        except (TypeError, ValueError):
            continue
    return sorted(pairs)


def hero_image_url(article) -> str:
    renditions = rendition_urls(article)
    if renditions:
        return renditions[-1][1]
    if article.hero_image:
        return absolute(article.hero_image.url)
    return ""


def to_script(data) -> str:
    """JSON for a <script type="application/ld+json"> element, safe against breaking out of it."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308  # nosec B308 B703


def _organization() -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "@id": settings.SITE_URL + "/#organization",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(LOGO_PATH)),
            "width": LOGO_SIZE[0],
            "height": LOGO_SIZE[1],
        },
    }


def _creator(creator) -> dict:
    if creator.is_organisation:
        return {"@type": "Organization", "name": creator.organisation}
    person = {"@type": "Person", "name": creator.display_name}
    if creator.given:
        person["familyName"] = creator.family
        person["givenName"] = creator.given
    return person


def source_jsonld(source) -> dict:
    """The source as schema.org: its type from articles/source_types.py (Report, Dataset, Legislation, …),
    people as Person and organisations as Organization, the container as isPartOf and the issuer as
    publisher, the same facts as its CSL-JSON, BibTeX and RIS."""
    mapping = kind_mapping(source.kind)
    data = {
        "@type": mapping.schema,
        "name": source.title,
        "headline": source.title[:110],
        "author": [_creator(creator) for creator in source.creators],
    }
    if source.year:
        data["datePublished"] = str(source.year)
    if source.container:
        data["isPartOf"] = {"@type": mapping.schema_container, "name": source.container}
    if source.issuer:
        data["publisher"] = {"@type": "Organization", "name": source.issuer}
    if source.volume:
        data["volumeNumber"] = source.volume
    if source.issue:
        data["issueNumber"] = source.issue
    if source.pages:
        data["pagination"] = source.pages
    if source.doi:
        data["@id"] = source.doi_url
        data["url"] = source.doi_url
        data["sameAs"] = source.doi_url
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": source.doi}
    elif source.url:
        data["url"] = source.url
    return data


def article_graph(article) -> str:
    """NewsArticle + BreadcrumbList for an article prepared by articles.queries.attach_brief."""
    url = settings.SITE_URL + article.get_absolute_url()
    images = [src for _, src in rendition_urls(article)] or ([hero_image_url(article)] if article.hero_image else [])
    papers = [source_jsonld(source) for source in article.sources]
    news = {
        "@type": "NewsArticle",
        "@id": url + "#article",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.standfirst,
        "datePublished": article.first_published_at or article.published_at,
        "dateModified": article.significant_update_at or article.updated_at,
        "author": [
            {"@type": "Person", "name": author.name, "url": settings.SITE_URL + author.get_absolute_url()}
            for author in article.byline_authors
        ],
        "publisher": {"@id": settings.SITE_URL + "/#organization"},
        "keywords": [tag.name for tag in article.tag_list],
        "inLanguage": "en",
        "isAccessibleForFree": True,
    }
    if images:
        news["image"] = images
    if article.section_id:
        news["articleSection"] = article.section.name
    if papers:
        news["citation"] = papers
        news["isBasedOn"] = papers
    crumbs = [("Home", settings.SITE_URL + "/")]
    if article.section_id:
        crumbs.append((article.section.name, settings.SITE_URL + article.section.get_absolute_url()))
    crumbs.append((article.title, url))
    breadcrumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(crumbs, start=1)
        ],
    }
    return to_script({"@context": "https://schema.org", "@graph": [news, breadcrumbs, _organization()]})


def website_graph() -> str:
    """For the home page: the site, its publisher, and how to search it (sitelinks search box)."""
    website = {
        "@type": "WebSite",
        "@id": settings.SITE_URL + "/#website",
        "url": settings.SITE_URL + "/",
        "name": settings.SITE_NAME,
        "description": settings.SITE_TAGLINE,
        "publisher": {"@id": settings.SITE_URL + "/#organization"},
        "inLanguage": "en",
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": settings.SITE_URL + reverse("articles:search") + "?q={q}"},
            "query-input": "required name=q",
        },
    }
    return to_script({"@context": "https://schema.org", "@graph": [website, _organization()]})
