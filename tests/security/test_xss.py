"""Hostile text in every field a visitor or a writer controls renders inert everywhere it appears.

For each group of payloads (tests/security/xss_payloads.py): an editor posts
articles straight to the admin's add endpoint with a payload in every text and
Markdown field, authors, sections and sources carry payloads too; visitors
comment and sign up with payloads in their name, website and text. Then every
page, feed, sitemap, JSON-LD block and email that shows them is checked by
tests/security/inert.py: no event handlers, no script but ours (nonce, /static/
or JSON-LD that parses), no javascript:/data: URLs, feeds and sitemaps parse as
XML and the HTML inside them is inert too.
"""

import time
from urllib.parse import quote

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles import services as article_services
from articles.markdown import check_plain_text
from articles.models import Article, Author, Section
from comments import services as comment_services
from comments.models import Comment
from comments.moderation import form_timestamp
from newsletter import services as newsletter_services
from newsletter.models import Digest, Subscriber
from newsletter.tokens import manage_token
from tests.articles.admin_helpers import article_post_data
from tests.factories import make_source, make_user
from tests.security.inert import email_problems, html_problems, nonce_of, xml_problems
from tests.security.xss_payloads import LINE_BREAKERS, MARK, PAYLOADS

pytestmark = pytest.mark.django_db

GROUP_SIZE = 6
GROUPS = [PAYLOADS[i : i + GROUP_SIZE] for i in range(0, len(PAYLOADS), GROUP_SIZE)]


@pytest.fixture
def editor(client, settings):
    settings.COMMENTS_MIN_SECONDS = 0
    settings.NEWSLETTER_SIGNUP_RATE = 1000
    settings.COMMENTS_THROTTLE_PER_IP = 1000
    settings.COMMENTS_THROTTLE_PER_EMAIL = 1000
    user = make_user(
        username="xss-editor", groups=["Editors"], is_staff=True, is_superuser=True, email="desk@example.org"
    )
    client.force_login(user)
    return user


class Collector:
    """Fetches pages and gathers every problem, so one run reports all of them."""

    def __init__(self, client):
        self.client = client
        self.problems: list[str] = []
        self.seen_mark = 0

    def page(self, url, *, expect=200):
        response = self.client.get(url)
        assert response.status_code == expect, f"{url}: {response.status_code}"
        body = response.content.decode()
        self.seen_mark += body.count(MARK)
        kind = response.get("Content-Type", "")
        if "html" in kind:
            self.problems += html_problems(body, where=url, nonce=nonce_of(response))
        elif "xml" in kind:
            self.problems += xml_problems(response.content, where=url)
        return response

    def emails(self):
        for n, message in enumerate(mail.outbox):
            self.seen_mark += message.body.count(MARK)
            self.problems += email_problems(message, where=f"email {n} {message.subject[:50]!r}")


def _plain_text(payload: str, n: int) -> str:
    """The payload for a plain-text field (highlights, signals, limitations), which refuses Markdown syntax
    with a message (articles.markdown.check_plain_text); a payload it refuses is replaced by marked text, and
    the refusal itself is checked in _publish_through_the_admin."""
    try:
        check_plain_text(payload)
    except ValidationError:
        return f"{MARK}{n} plain text"
    return payload


def _publish_through_the_admin(client, editor, payload, n, *, section, author, source) -> Article:
    plain = _plain_text(payload, n)
    if plain != payload:
        refused = client.post(
            reverse("admin:articles_article_add"),
            article_post_data(
                title=f"Refused {n}", section=str(section.pk), inlines={"highlights": [{"text": payload[:400]}]}
            ),
        )
        assert refused.status_code == 200
        assert "This field is plain text" in refused.content.decode()
    data = article_post_data(
        title=f"Brief {n} {payload}"[:200],
        standfirst=payload[:400],
        section=str(section.pk),
        # One hostile tag (commas would split it; an empty or non-ASCII slug is a separate
        # bug, see test_fuzz.py::test_any_tag_name_leaves_the_article_page_working).
        new_tags="lithium, " + f"{MARK}{n} {payload}".replace(",", " ").replace('"', " ")[:90],
        intro=f"Intro {payload}",
        bottom_line=f"Bottom line {payload}",
        inlines={
            "bylines": [{"author": str(author.pk), "position": "0"}],
            "highlights": [{"text": plain[:400]}],
            "findings": [{"headline": payload[:250], "explanation": payload}],
            "sections": [{"heading": payload[:250], "body": payload}],
            "signals": [{"kind": "solid", "text": plain}, {"kind": "speculative", "text": plain}],
            "limitations": [{"label": plain[:120], "text": plain}],
            "citations": [{"source": str(source.pk)}],
            "corrections": [{"date": "2026-11-01", "text": payload}],
        },
    )
    before = set(Article.objects.values_list("pk", flat=True))
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.exclude(pk__in=before).get()
    return article


def _comment(client, article, payload, n) -> Comment:
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "name": " ".join(payload.split())[:80],  # names are one line (a line break is refused)
            "email": f"reader{n}@example.org",
            # Django's URL validator lets quotes through in the path: the link must still be escaped.
            "url": f"https://example.org/{n}\"onmouseover=\"alert('{MARK}')",
            "body": f"{payload}\n\nhttps://example.org/?q={quote(payload)} and www.example.org/{MARK}",
            "notify_replies": "on",
            "ts": form_timestamp(at=time.time() - 60),
        },
        REMOTE_ADDR=f"198.51.100.{n % 250}",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Comment.objects.filter(article=article).latest("id")


@pytest.mark.parametrize("payloads", GROUPS, ids=[f"group{i}" for i in range(len(GROUPS))])
def test_payloads_render_inert_everywhere(client, editor, payloads, django_capture_on_commit_callbacks):
    from django.test import Client

    visitor = Client()
    pages = Collector(visitor)
    staff_pages = Collector(client)
    section = Section.objects.create(name=f"Section {payloads[0]}"[:100], slug="hostile", description=payloads[0])
    author = Author.objects.create(name=payloads[-1][:150], slug="hostile-author", bio="\n".join(payloads))
    source = make_source(
        title=payloads[0][:500],
        authors=f"{payloads[1][:200]}\nDoe, Jane",
        container=payloads[2][:300],
        url=f'https://example.org/{MARK}"><script>alert(1)</script>',
    )
    articles, comments = [], []
    with django_capture_on_commit_callbacks(execute=True):
        for n, payload in enumerate(payloads):
            article = _publish_through_the_admin(
                client, editor, payload, n, section=section, author=author, source=source
            )
            # The preview of the draft is a page too.
            staff_pages.page(reverse("articles:preview", args=[article.pk]))
            article_services.article_submit(article=article, by=editor)
            article_services.article_publish(
                article=article, by=editor, at=timezone.now() - timezone.timedelta(minutes=5 + n)
            )
            articles.append(article)
        for n, (article, payload) in enumerate(zip(articles, payloads, strict=True)):
            comment = _comment(visitor, article, payload, n)
            if comment.status != Comment.Status.APPROVED:
                comment_services.comment_approve(comment=comment, by=editor)
            comment_services.comment_reply_as_staff(parent=comment, by=editor, body=f"Thanks! {payload}")
            comments.append(comment)
        for n, payload in enumerate(payloads):
            response = visitor.post(
                reverse("newsletter:signup"),
                # One line: line breaks in names are test_a_line_break_in_a_subscriber_name_... below.
                {"email": f"sub{n}@example.org", "name": " ".join(payload.split())[:150], "source": "page"},
                REMOTE_ADDR=f"203.0.113.{n}",
            )
            assert response.status_code in (302, 400), response.status_code
        for subscriber in Subscriber.objects.all():
            newsletter_services.subscriber_confirm(subscriber=subscriber, ip="203.0.113.1")
        digest = newsletter_services.digest_build()
        assert digest is not None
        newsletter_services.digest_send(digest=digest, by=editor)
    assert Digest.objects.get(pk=digest.pk).status == Digest.Status.SENT
    assert Subscriber.objects.confirmed().count() >= len(payloads)

    # Reader pages.
    pages.page("/")
    pages.page(section.get_absolute_url())
    pages.page(author.get_absolute_url())
    pages.page(reverse("articles:archive"))
    now = timezone.localtime()
    pages.page(reverse("articles:archive-month", kwargs={"year": now.year, "month": now.month}))
    pages.page(source.get_absolute_url())
    pages.page(reverse("articles:search") + "?q=lithium")
    for article, comment, payload in zip(articles, comments, payloads, strict=True):
        article.refresh_from_db()
        pages.page(article.get_absolute_url())
        pages.page(reverse("comments:reply", args=[comment.pk]))
        pages.page(reverse("articles:search") + "?q=" + quote(payload))
        for tag in article.tags.all():
            pages.page(reverse("articles:tag", args=[tag.slug]))
            pages.page(reverse("articles:tag-feed", args=[tag.slug]))
    # Feeds and sitemaps.
    for name in ("feed", "feed-atom"):
        pages.page(reverse(f"articles:{name}"))
    pages.page(reverse("articles:section-feed", args=[section.slug]))
    pages.page(reverse("articles:section-feed-atom", args=[section.slug]))
    pages.page(reverse("articles:author-feed", args=[author.slug]))
    pages.page(reverse("articles:sitemap"))
    pages.page(reverse("articles:news-sitemap"))
    # The newsletter's public pages and a subscriber's own page.
    pages.page(reverse("newsletter:archive"))
    pages.page(digest.get_absolute_url())
    for subscriber in Subscriber.objects.all():
        pages.page(reverse("newsletter:manage", args=[manage_token(subscriber)]))
    # Staff pages: a writer's payload must not run in an editor's browser either.
    staff_pages.page(reverse("admin:articles_article_changelist"))
    staff_pages.page(reverse("admin:articles_article_change", args=[articles[0].pk]))
    staff_pages.page(reverse("admin:comments_comment_changelist"))
    staff_pages.page(reverse("admin:newsletter_subscriber_changelist"))
    staff_pages.page(reverse("admin:newsletter_digest_change", args=[digest.pk]))
    # Emails: confirmations, welcomes, moderator notices, reply notices and the digest.
    pages.emails()

    problems = pages.problems + staff_pages.problems
    assert not problems, "\n".join(dict.fromkeys(problems))
    # The payloads did reach the pages and emails (as text): the check looked at the right places.
    assert pages.seen_mark > len(payloads) * 10
    assert len(mail.outbox) >= len(payloads) * 2


@pytest.mark.parametrize("name", LINE_BREAKERS)
def test_a_line_break_in_a_subscriber_name_neither_injects_headers_nor_stops_the_digest(
    client, editor, name, django_capture_on_commit_callbacks
):
    from tests.factories import make_article

    make_article(title="Lithium brief")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("newsletter:signup"),
            {"email": "eve@example.org", "name": name, "source": "page", "source_page": "/"},
        )
        assert response.status_code in (302, 400)
        Subscriber.objects.create(email="bob@example.org", status=Subscriber.Status.CONFIRMED)
        for subscriber in Subscriber.objects.filter(status=Subscriber.Status.PENDING):
            newsletter_services.subscriber_confirm(subscriber=subscriber, ip="203.0.113.1")
        digest = newsletter_services.digest_build()
        newsletter_services.digest_send(digest=digest, by=editor)
    problems = []
    for n, message in enumerate(mail.outbox):
        problems += email_problems(message, where=f"email {n}")
    assert not problems, problems
    # Everyone confirmed got the digest: one odd name does not stop the batch.
    digest_recipients = [m.to[0] for m in mail.outbox if m.subject == digest.subject]
    assert len(digest_recipients) == Subscriber.objects.confirmed().count()
    assert Digest.objects.get(pk=digest.pk).status == Digest.Status.SENT
