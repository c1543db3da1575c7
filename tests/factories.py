"""Test data builders, in one place. Plain functions with keyword arguments.

Each returns saved objects with sensible defaults; pass what the test cares about.
"""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    BriefSection,
    Citation,
    Finding,
    Highlight,
    Limitation,
    Section,
    Signal,
    Source,
)

_seq = itertools.count(1)


def make_user(*, username=None, password="pw-for-tests-123", groups=(), **extra):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password=password, email=extra.pop("email", ""), **extra
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def make_section(*, name=None, **extra):
    n = next(_seq)
    name = name or f"Section {n}"
    return Section.objects.create(name=name, slug=extra.pop("slug", f"section-{n}"), **extra)


def make_author(*, name=None, **extra):
    n = next(_seq)
    return Author.objects.create(name=name or f"Author {n}", slug=extra.pop("slug", f"author-{n}"), **extra)


def make_source(*, title=None, **extra):
    n = next(_seq)
    defaults = {
        "authors": "Mochalova, Lyudmila A.\nPodkorytov, Vladimir N.",
        "year": 2025,
        "title": title or f"A study of rare earth processing {n}",
        "container": "URFU Journal Portal",
        "doi": f"10.5555/test.{n}",
        "evidence": Source.Evidence.PEER_REVIEWED,
    }
    defaults.update(extra)
    return Source.objects.create(**defaults)


def make_article(
    *,
    title=None,
    status=Article.Status.PUBLISHED,
    published_at=None,
    section=None,
    authors=None,
    tags=(),
    full_brief=False,
    **extra,
):
    """An article; published an hour ago by default. full_brief=True adds every part of the brief."""
    n = next(_seq)
    if published_at is None and status == Article.Status.PUBLISHED:
        published_at = timezone.now() - timedelta(hours=1)
    article = Article.objects.create(
        title=title or f"Rare earth brief {n}",
        slug=extra.pop("slug", f"rare-earth-brief-{n}"),
        standfirst=extra.pop("standfirst", f"A standfirst for brief {n}."),
        status=status,
        published_at=published_at,
        first_published_at=published_at if status == Article.Status.PUBLISHED else None,
        section=section if section is not None else make_section(),
        **extra,
    )
    for position, author in enumerate(authors if authors is not None else [make_author()]):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.add(*tags)
    if full_brief:
        add_full_brief(article)
    return article


def add_full_brief(article, *, source=None):
    Highlight.objects.create(article=article, position=0, text="Reserves are large but refining is thin.")
    Highlight.objects.create(article=article, position=1, text="Demand at home does not match magnet-grade trends.")
    Finding.objects.create(
        article=article,
        position=0,
        headline="The rocks are there; the refineries are not.",
        explanation="Processing chains are fragmented.",
        explanation_html="<p>Processing chains are fragmented.</p>",
    )
    BriefSection.objects.create(
        article=article,
        position=0,
        heading="Why Investors Should Care",
        body="Midstream mastery is the prize.",
        body_html="<p>Midstream mastery is the prize.</p>",
    )
    Signal.objects.create(article=article, position=0, kind=Signal.Kind.SOLID, text="A clear diagnosis of gaps.")
    Signal.objects.create(article=article, position=1, kind=Signal.Kind.SPECULATIVE, text="The pace of build-out.")
    Limitation.objects.create(article=article, position=0, label="Desk research bias", text="Few plant-level data.")
    Citation.objects.create(article=article, position=0, source=source or make_source())
    article.intro = article.intro or "An introduction to the paper."
    article.intro_html = article.intro_html or "<p>An introduction to the paper.</p>"
    article.bottom_line = article.bottom_line or "Potential, not a pivot."
    article.bottom_line_html = article.bottom_line_html or "<p>Potential, not a pivot.</p>"
    article.save()
    return article


def make_comment(*, article=None, status="approved", name=None, email=None, body=None, **extra):
    """A reader's comment; approved (shown) by default, on a new published article unless one is given."""
    from comments.models import Comment

    n = next(_seq)
    return Comment.objects.create(
        article=article if article is not None else make_article(),
        status=status,
        name=name or f"Reader {n}",
        email=email or f"reader{n}@example.com",
        body=body or f"A comment, number {n}.",
        **extra,
    )


def make_subscriber(*, email=None, status="confirmed", **extra):
    """A newsletter subscriber; confirmed by default."""
    from django.utils import timezone

    from newsletter.models import Subscriber

    n = next(_seq)
    if status == Subscriber.Status.CONFIRMED:
        extra.setdefault("confirmed_at", timezone.now())
        # An existing subscriber: welcomed long ago, so send_pending_email owes them nothing.
        extra.setdefault("welcome_sent_at", extra["confirmed_at"])
    return Subscriber.objects.create(email=email or f"reader{n}@example.org", status=status, **extra)
