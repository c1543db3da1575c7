"""Demo content and development-only accounts: `manage.py load_demo` (run by `make run`).

Idempotent: sections, authors and sources are matched by slug or DOI/title, articles by slug; an article
that exists is left exactly as it is (an editor may have changed it), so a second run creates nothing.
Articles are created through the same services the admin uses (submit, publish), so the workflow
history, revisions, rendered HTML, renditions and search vectors are all real.
"""

from datetime import timedelta

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.management.commands._demo_content import ARTICLES, AUTHORS, SECTIONS, SOURCES
from articles.management.commands._demo_images import hero_png
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    BriefSection,
    Citation,
    Correction,
    Finding,
    Highlight,
    Limitation,
    Section,
    Signal,
    Source,
)
from articles.services import article_publish, article_refresh, article_submit

DEMO_ACCOUNTS = [
    # username, password, is_superuser, group
    ("editor", "reex-editor-demo", False, "Editors"),
    ("writer", "reex-writer-demo", False, "Writers"),
    ("admin", "reex-admin-demo", True, None),
]


class Command(BaseCommand):
    help = "Load demo content and development-only accounts. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo creates accounts with published passwords; it runs only with DEBUG on.")
        users = self._accounts()
        sections = {slug: self._section(name, slug, description, order) for name, slug, description, order in SECTIONS}
        authors = {slug: self._author(slug, *values, users) for slug, values in AUTHORS.items()}
        sources = {key: self._source(fields) for key, fields in SOURCES.items()}
        created = 0
        for spec in ARTICLES:
            if not Article.objects.filter(slug=spec["slug"]).exists():
                self._article(spec, users, sections, authors, sources)
                created += 1
        self.stdout.write(f"Demo content: {created} article(s) created, {len(ARTICLES) - created} already there.")
        self.stdout.write("Demo accounts (development only):")
        for username, password, _, group in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<8} password: {password}  ({group or 'superuser'})")

    def _accounts(self) -> dict:
        User = get_user_model()
        users = {}
        for username, password, is_superuser, group in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            users[username] = user
        return users

    @staticmethod
    def _section(name, slug, description, order) -> Section:
        section, _ = Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
        return section

    @staticmethod
    def _author(slug, name, bio, username, users) -> Author:
        author, created = Author.objects.get_or_create(slug=slug, defaults={"name": name, "bio": bio})
        if username and author.user_id is None and not Author.objects.filter(user=users[username]).exists():
            author.user = users[username]
            author.save(update_fields=["user"])
        return author

    @staticmethod
    def _source(fields) -> Source:
        source = Source.objects.filter(doi=fields["doi"]).first() if fields.get("doi") else None
        # By title too: a demo source stored before it had a DOI must not be loaded a second time.
        source = source or Source.objects.filter(title=fields["title"], year=fields.get("year")).first()
        return source or Source.objects.create(**fields)

    @transaction.atomic
    def _article(self, spec, users, sections, authors, sources) -> Article:
        by = users[spec["by"]]
        editor = users["editor"]
        with reversion.create_revision():
            article = Article(
                title=spec["title"],
                slug=spec["slug"],
                standfirst=spec.get("standfirst", ""),
                intro=spec.get("intro", ""),
                bottom_line=spec.get("bottom_line", ""),
                section=sections[spec["section"]],
                featured=spec.get("featured", False),
                hero_alt=spec.get("hero_alt", ""),
                hero_caption=spec.get("hero_caption", ""),
                hero_credit=spec.get("hero_credit", "Illustration: Reex"),
                created_by=by,
            )
            if not spec.get("draft"):
                kicker = sections[spec["section"]].name
                article.hero_image = ContentFile(hero_png(spec["title"], kicker, spec["slug"]), f"{spec['slug']}.png")
                article.hero_alt = article.hero_alt or f"Abstract illustration with the headline “{spec['title']}”"
            article.save()
            article.tags.add(*spec.get("tags", []))
            for position, slug in enumerate(spec.get("authors", [])):
                ArticleAuthor.objects.create(article=article, author=authors[slug], position=position)
            for position, text in enumerate(spec.get("highlights", [])):
                Highlight.objects.create(article=article, text=text, position=position)
            for position, (headline, explanation) in enumerate(spec.get("findings", [])):
                Finding.objects.create(article=article, headline=headline, explanation=explanation, position=position)
            for position, (heading, body) in enumerate(spec.get("sections", [])):
                BriefSection.objects.create(article=article, heading=heading, body=body, position=position)
            for position, (kind, text) in enumerate(spec.get("signals", [])):
                Signal.objects.create(article=article, kind=kind, text=text, position=position)
            for position, (label, text) in enumerate(spec.get("limitations", [])):
                Limitation.objects.create(article=article, label=label, text=text, position=position)
            for position, key in enumerate(spec.get("sources", [])):
                Citation.objects.create(article=article, source=sources[key], position=position)
            published = timezone.localdate() - timedelta(days=spec.get("days_ago", 0))
            for days_later, text in spec.get("corrections", []):
                Correction.objects.create(article=article, date=published + timedelta(days=days_later), text=text)
            reversion.set_user(by)
            reversion.set_comment("Created by load_demo.")
        article_refresh(article=article)
        if spec.get("draft"):
            return article
        article_submit(article=article, by=by, note="Demo: ready for review.")
        at = timezone.now() - timedelta(days=spec["days_ago"], hours=3)
        article_publish(article=article, by=editor, at=at)
        return article
