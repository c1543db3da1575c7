"""Reader pages: what they show, what they never show, redirects, 404s and conditional GET."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article, Citation, SlugRedirect
from articles.views import render_article
from comments.models import Comment
from tests.articles.reader_data import RUSSIA_DOI, RUSSIA_TITLE, make_russia_brief
from tests.factories import make_article, make_author, make_comment, make_section, make_source

pytestmark = pytest.mark.django_db
# The admin's address as the settings place it (ADMIN_URL), never a hardcoded /admin/.
ADMIN = f"/{settings.ADMIN_URL}"
# As the pages spell it (SITE_URL), never a hardcoded host.
SITE_URL = settings.SITE_URL


def hidden_articles(section=None, tags=(), authors=None, source=None):
    """One of each kind of article a reader must never see."""
    kinds = {
        "draft": {"status": Article.Status.DRAFT},
        "review": {"status": Article.Status.REVIEW},
        "unpublished": {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now() - timedelta(days=1)},
        "scheduled": {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + timedelta(hours=2)},
    }
    articles = []
    for kind, fields in kinds.items():
        article = make_article(
            title=f"Secret {kind} brief",
            section=section,
            tags=tags,
            authors=authors,
            **fields,
        )
        if source is not None:
            Citation.objects.create(article=article, source=source)
        articles.append(article)
    return articles


def test_home_lists_featured_then_latest_with_counts(client):
    section = make_section(name="Markets", slug="markets")
    older = make_article(title="Older brief", section=section, published_at=timezone.now() - timedelta(days=2))
    newer = make_article(title="Newer brief", section=section, published_at=timezone.now() - timedelta(hours=1))
    featured = make_article(
        title="Featured brief", section=section, featured=True, published_at=timezone.now() - timedelta(days=5)
    )
    make_comment(article=newer, body="Good")
    make_comment(article=newer, body="Spam", status=Comment.Status.SPAM)
    hidden_articles(section=section)

    response = client.get("/")

    assert response.status_code == 200
    assert response.context["featured"] == featured
    assert [a.title for a in response.context["page_obj"].object_list] == ["Newer brief", "Older brief"]
    assert [a.comment_count for a in response.context["page_obj"].object_list] == [1, 0]
    html = response.content.decode()
    assert "Secret" not in html
    assert html.index("Featured brief") < html.index("Newer brief") < html.index("Older brief")
    assert ">1 Comment<" in html
    assert ">0 Comments<" in html
    assert older.get_absolute_url() in html


def test_home_paginates_and_rejects_bad_page_numbers(client):
    section = make_section()
    for n in range(23):
        make_article(title=f"Brief number {n}", section=section, published_at=timezone.now() - timedelta(hours=n + 1))
    first = client.get("/")
    second = client.get("/?page=2")
    third = client.get("/?page=3")
    # The newest is featured; the other 22 run over pages of 10.
    assert [len(r.context["page_obj"].object_list) for r in (first, second, third)] == [10, 10, 2]
    assert second.context["featured"] is None
    assert 'rel="next"' in first.content.decode()
    assert f'<link rel="canonical" href="{SITE_URL}/?page=2">' in second.content.decode()
    assert client.get("/?page=4").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_home_without_articles_is_friendly(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles have been published yet." in response.content.decode()


def test_article_page_shows_every_part_in_order(client):
    article = make_russia_brief()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    markers = [
        f'<h1 id="article-title" class="article-title">{RUSSIA_TITLE}</h1>',
        'class="standfirst"',
        'class="byline meta"',
        ">Highlights</h2>",
        'class="article-body intro"',
        ">Findings</h2>",
        "Why Investors Should Care",
        "Signals vs. Noise",
        ">Limitations: Read Before Leaping</h2>",
        ">Bottom Line</h2>",
        ">Citation</h2>",
        ">Corrections</h2>",
        'aria-label="Tags"',
        "Filed under",
        'class="author-box"',
        'id="comments"',
    ]
    positions = [html.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert 'data-copy-target="citation-text-1"' in html
    assert f'href="https://doi.org/{RUSSIA_DOI}"' in html
    source = article.citations.get().source
    for extension in ("bib", "ris", "json"):
        assert f'href="/sources/{source.pk}/citation.{extension}"' in html
    assert "Peer-reviewed article" in html
    # No Highwire tags: they would tell Google Scholar our page is the paper.
    assert "citation_" not in re.sub(r'(id|class|data-copy-target)="[^"]*"', "", html)


def test_article_page_hides_what_readers_must_not_see(client):
    for article in hidden_articles():
        assert client.get(article.get_absolute_url()).status_code == 404


def test_old_slug_redirects_permanently(client):
    article = make_article(title="Renamed")
    SlugRedirect.objects.create(old_slug="old-name", article=article)
    response = client.get("/news/old-name/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    draft = make_article(status=Article.Status.DRAFT)
    SlugRedirect.objects.create(old_slug="old-draft", article=draft)
    assert client.get("/news/old-draft/").status_code == 404
    assert client.get("/news/never-existed/").status_code == 404


def test_related_articles_prefer_shared_tags_then_section(client):
    section, other_section = make_section(), make_section()
    article = make_article(section=section, tags=["Russia", "Magnets"])
    two_tags = make_article(
        title="Shares two tags",
        section=other_section,
        tags=["Russia", "Magnets"],
        published_at=timezone.now() - timedelta(days=3),
    )
    one_tag = make_article(title="Shares one tag", section=other_section, tags=["Magnets"])
    same_section = make_article(title="Same section", section=section)
    make_article(title="Unrelated", section=other_section, tags=["Lithium"])
    hidden_articles(section=section, tags=["Russia"])
    response = client.get(article.get_absolute_url())
    assert response.context["related"] == [two_tags, one_tag, same_section]


def test_section_tag_author_and_archive_pages_list_only_published(client):
    section = make_section(name="Policy", slug="policy", description="Rules and money.")
    author = make_author(name="Mira Chen", slug="mira-chen", bio="Covers policy.")
    source = make_source()
    visible = make_article(title="Visible brief", section=section, authors=[author], tags=["Russia"])
    Citation.objects.create(article=visible, source=source)
    hidden_articles(section=section, tags=["Russia"], authors=[author], source=source)
    month = visible.published_at

    pages = {
        "/section/policy/": "Policy",
        "/tag/russia/": "Russia",
        "/author/mira-chen/": "Mira Chen",
        f"/archive/{month.year}/{month.month}/": month.strftime("%B %Y"),
        f"/sources/{source.pk}/": source.title,
    }
    for url, heading in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert [a.title for a in response.context["page_obj"].object_list] == ["Visible brief"], url
        assert "Secret" not in html, url
        assert re.search(r"<h1[^>]*>" + re.escape(heading) + "</h1>", html), url
    archive = client.get("/archive/")
    assert [row["count"] for row in archive.context["months"]] == [1]


def test_list_pages_answer_404_for_what_does_not_exist(client):
    make_article(status=Article.Status.DRAFT, tags=["Draft only"])
    for url in (
        "/section/nope/",
        "/tag/nope/",
        "/tag/draft-only/",
        "/author/nope/",
        "/archive/2020/13/",
        "/archive/1990/1/",
        "/sources/999999/",
    ):
        assert client.get(url).status_code == 404, url


def test_source_page_and_downloads_hidden_when_only_drafts_cite_it(client):
    source = make_source()
    hidden_articles(source=source)
    assert client.get(f"/sources/{source.pk}/").status_code == 404
    assert client.get(f"/sources/{source.pk}/citation.bib").status_code == 404


def test_citation_downloads_parse_in_their_formats(client):
    import bibtexparser
    import rispy

    article = make_russia_brief()
    source = article.citations.get().source
    title = "Current trends and prospects in Russia’s rare earth metals industry"

    bib = client.get(f"/sources/{source.pk}/citation.bib")
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == 'attachment; filename="mochalova-2025.bib"'
    library = bibtexparser.parse_string(bib.content.decode())
    [entry] = library.entries
    assert entry.entry_type == "article"
    assert entry.fields_dict["doi"].value == RUSSIA_DOI
    assert entry.fields_dict["title"].value == title

    ris = client.get(f"/sources/{source.pk}/citation.ris")
    assert ris["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    [record] = rispy.loads(ris.content.decode())
    assert record["type_of_reference"] == "JOUR"
    assert record["authors"] == ["Mochalova, Lyudmila A.", "Podkorytov, Vladimir N."]
    assert record["doi"] == RUSSIA_DOI

    csl = client.get(f"/sources/{source.pk}/citation.json")
    assert csl["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    [data] = csl.json()
    assert data["DOI"] == RUSSIA_DOI
    assert data["title"] == title
    assert data["author"][0] == {"family": "Mochalova", "given": "Lyudmila A."}
    assert client.get(f"/sources/{source.pk}/citation.pdf").status_code == 404


def test_every_page_carries_title_description_canonical_opengraph_and_twitter(client):
    article = make_russia_brief()
    for url in [
        "/",
        article.get_absolute_url(),
        "/section/research-briefs/",
        "/tag/russia/",
        "/author/daniel/",
        "/search/?q=russia",
    ]:
        html = client.get(url).content.decode()
        assert re.search(r"<title>[^<]+</title>", html), url
        assert re.search(r'<meta name="description" content="[^"]+">', html), url
        assert re.search(r'<link rel="canonical" href="http://127\.0\.0\.1:8000/[^"]*">', html), url
        for prop in ("og:title", "og:description", "og:url", "og:image", "og:type", "og:site_name"):
            assert f'<meta property="{prop}" content="' in html, (url, prop)
        for name in ("twitter:card", "twitter:title", "twitter:description"):
            assert f'<meta name="{name}" content="' in html, (url, name)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert f'<link rel="canonical" href="{SITE_URL}{article.get_absolute_url()}">' in html


def test_article_conditional_get_answers_304_until_something_changes(client):
    """One caching layer: the page cache (reex.pagecache) gives the article its validators and must
    answer 304 until the article, its comments or the sidebar change."""
    article = make_russia_brief()
    first = client.get(article.get_absolute_url())
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(article.get_absolute_url(), headers={"if-none-match": etag}).status_code == 304
    assert client.get(article.get_absolute_url(), headers={"if-modified-since": last_modified}).status_code == 304

    # A newly approved comment changes the page, so the old validators no longer match.
    make_comment(article=article, body="Useful")
    changed = client.get(article.get_absolute_url(), headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # So does a new article in the sidebar.
    make_article()
    assert client.get(article.get_absolute_url(), headers={"if-none-match": changed["ETag"]}).status_code == 200


def test_article_view_has_no_validators_of_its_own(client, settings):
    # Without the page cache the page is rendered every time and says so: no ETag, no Last-Modified.
    settings.PAGE_CACHE_ENABLED = False
    article = make_russia_brief()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "ETag" not in response and "Last-Modified" not in response


def test_preview_render_is_never_cached_or_indexed():
    draft = make_article(status=Article.Status.DRAFT, full_brief=True, title="Draft under review")
    request = RequestFactory().get("/preview/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = render_article(request, draft, preview=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html
    assert 'class="preview-banner"' in html and "<strong>Preview</strong>" in html
    assert "Draft under review" in html


def test_robots_txt_points_to_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines
    assert f"Sitemap: {SITE_URL}/news-sitemap.xml" in lines
    assert f"Disallow: {ADMIN}" in lines
    assert lines[0] == "User-agent: *"
