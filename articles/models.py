"""The research-brief content model.

An Article is a structured brief of one or more Sources (papers, reports):
Highlights, intro, Findings, free sections, Signals vs. Noise, Limitations,
Bottom Line and Citations are separate rows, so pages, feeds, JSON-LD, the
newsletter and citation exports are all built from the same data.

Markdown fields are rendered once, on save, into sanitised `*_html` columns;
reads never render Markdown.

One module (~870 lines) on purpose, by Django's convention of one models module per app: the brief's
parts, sources, citations, bylines and workflow log are one schema, and BRIEF_PARTS, the one declaration
of the parts, sits beside the part models it lists.
"""

import logging
from dataclasses import dataclass

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager

logger = logging.getLogger(__name__)


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True, help_text="Used in the section's web address.")
    description = models.TextField(blank=True, help_text="One or two sentences shown at the top of the section page.")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Sections are listed in the navigation by this number."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    bio = models.TextField(blank=True, help_text="Shown in the author box under each article. Plain text.")
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text="The staff account that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class Source(models.Model):
    """A paper, report, dataset, law or page that briefs are based on; shared by every article citing it.

    `kind` says what the work is (and so its schema.org, CSL, BibTeX and RIS type: articles/source_types.py);
    `evidence` says how much weight it carries, for readers. Authors are stored one per line: a person as
    "Family, Given names", an organisation as "org: Name" (see articles/source_types.py: parse_authors).
    """

    class Evidence(models.TextChoices):
        PEER_REVIEWED = "peer_reviewed", "Peer-reviewed article"
        PREPRINT = "preprint", "Preprint"
        REPORT = "report", "Report"
        DATASET = "dataset", "Dataset"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        REPORT = "report", "Report"
        BOOK = "book", "Book"
        BOOK_CHAPTER = "book_chapter", "Book chapter"
        DATASET = "dataset", "Dataset"
        PREPRINT = "preprint", "Preprint"
        THESIS = "thesis", "Thesis"
        CONFERENCE_PAPER = "conference_paper", "Conference paper"
        STANDARD = "standard", "Standard"
        LEGISLATION = "legislation", "Legislation or regulation"
        NEWS_ARTICLE = "news_article", "News article"
        WEB_PAGE = "web_page", "Web page"

    kind = models.CharField(
        "type",
        max_length=20,
        choices=Kind.choices,
        default=Kind.JOURNAL_ARTICLE,
        help_text="What the work is; it decides how it is cited and described to search engines.",
    )
    authors = models.TextField(
        help_text=(
            'One author per line, in the order of the work. A person as "Family, Given names" '
            '(e.g. "Mochalova, Lyudmila A."; a person with one name: "Name,"); an organisation as '
            '"org: Name" (e.g. "org: U.S. Geological Survey").'
        )
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500)
    container = models.CharField(
        "container",
        max_length=300,
        blank=True,
        help_text=(
            "What the work is part of: the journal (article), the book (chapter), the proceedings (conference "
            "paper), the series (report, standard), the newspaper or the website. Not the publisher."
        ),
    )
    publisher = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who published it: a book's publisher, a dataset's repository, a preprint server, a site's owner.",
    )
    institution = models.CharField(
        "issuing organisation",
        max_length=300,
        blank=True,
        help_text=(
            "Who issued it: the agency of a report, the university of a thesis, the body of a standard, "
            "the legislature of a law."
        ),
    )
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    pages = models.CharField(max_length=30, blank=True)
    doi = models.CharField(
        "DOI",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="Paste the DOI or its https://doi.org/ link; it is stored without the prefix.",
    )
    url = models.URLField("URL", max_length=500, blank=True, help_text="Where readers can find it, if it has no DOI.")
    evidence = models.CharField(
        "evidence type", max_length=20, choices=Evidence.choices, default=Evidence.PEER_REVIEWED
    )
    citation_key = models.CharField(
        "citation key",
        max_length=100,
        blank=True,
        help_text="The BibTeX key; kept from a pasted entry, otherwise made from the first author, year and title.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self):
        first = self.creators[0].family_or_name if self.creators else "Anon."
        return f"{first} ({self.year or 'n.d.'}) {self.title[:80]}"

    def save(self, *args, **kwargs):
        # Also here, not only in clean(): sources created by code (load_demo, paste-in) must be stored
        # in the one normal form too, or the unique constraint would let duplicates through.
        self._normalize_doi()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:source", kwargs={"pk": self.pk})

    @property
    def author_list(self) -> list[str]:
        return [line.strip() for line in self.authors.splitlines() if line.strip()]

    @property
    def creators(self):
        """The authors as Creator objects (person or organisation), in order."""
        from articles.source_types import parse_authors

        return parse_authors(self.authors)

    @property
    def doi_url(self) -> str:
        from articles.doi import doi_url

        return doi_url(self.doi or "")

    @property
    def issuer(self) -> str:
        """The one organisation every export calls the publisher: the issuing body, else the publisher."""
        return self.institution or self.publisher

    def clean(self):
        super().clean()
        from articles.source_types import check_authors

        errors = {}
        try:
            self._normalize_doi()
        except ValidationError as exc:
            errors["doi"] = exc.messages
        try:
            check_authors(self.authors)
        except ValidationError as exc:
            errors["authors"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def _normalize_doi(self):
        from articles.doi import normalize_doi

        self.doi = normalize_doi(self.doi) if (self.doi or "").strip() else None


WORDS_PER_MINUTE = 230


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles a reader may see: published, with a publication time that has passed.

        Scheduling needs no job: an article scheduled for 09:00 is simply
        outside this filter until 09:00. Every reader page, feed, sitemap,
        search and the newsletter use this one method.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def with_comment_count(self):
        """Annotate `comment_count`: approved comments only, in the same query (no query per row).

        A correlated subquery, not a JOIN + COUNT: an aggregate would GROUP BY every
        selected column, so PostgreSQL would count (and compute search snippets) for
        every matching article before ORDER BY ... LIMIT keeps ten. With the subquery
        only the rows on the page are counted, each by one index lookup
        (comment_article_status_idx). At 100k articles and 1M comments this took a
        search page from over 20 s to under 1 s.
        """
        from comments.models import Comment

        approved = (
            Comment.objects.filter(article=models.OuterRef("pk"), status=Comment.Status.APPROVED)
            .order_by()
            .values("article")
            .annotate(n=models.Count("id"))
            .values("n")
        )
        return self.annotate(
            comment_count=models.functions.Coalesce(
                models.Subquery(approved[:1]), models.Value(0), output_field=models.IntegerField()
            )
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        # Published with a future publication time means "scheduled".
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(
        max_length=200, help_text="The headline: what the paper found, in plain words. Shown on the page and in lists."
    )
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        help_text="The article's web address. Filled from the title; changing it on a published article "
        "keeps the old address working with a redirect.",
    )
    standfirst = models.TextField(
        max_length=400,
        blank=True,
        help_text="One or two sentences under the headline. Also used in lists, search results, "
        "the meta description and the daily newsletter.",
    )
    intro = models.TextField(
        blank=True, help_text="The opening paragraphs: which paper, who wrote it, what it concludes. Markdown."
    )
    intro_html = models.TextField(blank=True, editable=False)
    bottom_line = models.TextField(blank=True, help_text="The closing verdict for investors and engineers. Markdown.")
    bottom_line_html = models.TextField(blank=True, editable=False)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles")
    tags = TaggableManager(blank=True, help_text="Minerals, companies, countries, technologies. Comma separated.")
    authors = models.ManyToManyField(Author, through="ArticleAuthor", related_name="articles", blank=True)

    hero_image = models.ImageField(upload_to="heroes/%Y/%m/", blank=True)
    hero_alt = models.CharField(
        "hero alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Required when there is an image.",
    )
    hero_caption = models.CharField(
        max_length=300, blank=True, help_text="Shown under the image. Say what or who it shows, if it helps the story."
    )
    hero_credit = models.CharField(
        max_length=200, blank=True, help_text='Who made or owns the image, e.g. "Source: Wikipedia".'
    )
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # The point of the hero image that every crop keeps in frame, as fractions of its width and height
    # (0.5, 0.5: the centre). Set by a click on the image in the admin; pages crop with object-position.
    hero_focal_x = models.FloatField(
        "focal point, across", default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    hero_focal_y = models.FloatField(
        "focal point, down", default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )

    featured = models.BooleanField(default=False, help_text="Show at the top of the home page.")
    allow_comments = models.BooleanField(
        default=True, help_text="Untick to close comments on this article; existing comments stay visible."
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article goes live. A future time schedules it.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    significant_update_at = models.DateTimeField(
        "updated",
        null=True,
        blank=True,
        help_text='Set when the substance changes; shown to readers as "Updated". Typo fixes need not.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False, help_text="Minutes.")
    # Incremented on every save; a save that started from an older version is a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_pub_idx"),
            # The home page's lead: the newest featured article, else the newest (ORDER BY featured DESC,
            # published_at DESC, id DESC LIMIT 1); without it PostgreSQL sorts every published article.
            models.Index(fields=["status", "-featured", "-published_at", "-id"], name="article_featured_pub_idx"),
            GinIndex(fields=["search_vector"], name="article_search_gin"),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("edit_any_article", "Can edit articles written by others"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Derive what is stored from what editors type: slug, rendered HTML, reading time, version.

        The old slug of an article that has been published is kept as a SlugRedirect, so links
        readers already shared keep working (301 to the new address).
        """
        from articles.markdown import render_markdown

        update_fields = kwargs.get("update_fields")
        old_slug, was_published, old_hero = None, False, ""
        if self.pk:
            row = Article.objects.filter(pk=self.pk).values_list("slug", "first_published_at", "hero_image").first()
            if row:
                old_slug, was_published, old_hero = row[0], row[1] is not None, row[2] or ""
                # Incremented on every save; the admin compares it to detect concurrent edits.
                self.version += 1
        self.slug = self.slug or self._unique_slug(self.title)
        self.intro_html = render_markdown(self.intro)
        self.bottom_line_html = render_markdown(self.bottom_line)
        self.reading_time = self.compute_reading_time()
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "slug",
                "intro_html",
                "bottom_line_html",
                "reading_time",
                "version",
                "updated_at",
            }
        super().save(*args, **kwargs)
        if (self.hero_image.name or "") != old_hero and (update_fields is None or "hero_image" in update_fields):
            self._refresh_renditions()
        if old_slug and old_slug != self.slug and was_published:
            SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
        # The current slug answers by itself; a redirect under the same name would only shadow it.
        SlugRedirect.objects.filter(old_slug=self.slug).delete()

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def _refresh_renditions(self):
        """Cut the srcset renditions once, when the hero image changes; reads only use the stored paths."""
        from articles.images import delete_renditions, make_renditions

        delete_renditions(self.hero_renditions)
        try:
            self.hero_renditions = make_renditions(self.hero_image.name) if self.hero_image else {}
        except Exception:
            # Uploads through the admin are validated first; a file put in place some other way
            # and unreadable still leaves a saved article (the page falls back to the original).
            logger.exception("Could not make renditions of %s", self.hero_image.name)
            self.hero_renditions = {}
        Article.objects.filter(pk=self.pk).update(hero_renditions=self.hero_renditions)

    def _unique_slug(self, title: str) -> str:
        base = slugify(title)[:200].strip("-") or "article"
        candidate, n = base, 2
        while (
            Article.objects.filter(slug=candidate).exclude(pk=self.pk).exists()
            or SlugRedirect.objects.filter(old_slug=candidate).exclude(article_id=self.pk).exists()
        ):
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def compute_reading_time(self) -> int:
        """Minutes at 230 words a minute, at least 1, over every part of the brief saved so far."""
        from articles.markdown import word_count

        texts = [self.title, self.standfirst, self.intro, self.bottom_line]
        if self.pk:
            for part in BRIEF_PARTS:
                if part.reading_time and part.text_fields:
                    for values in getattr(self, part.related_name).values_list(*part.text_fields):
                        texts += values
        return max(1, round(word_count(*texts) / WORDS_PER_MINUTE))

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def display_status(self) -> str:
        return "Scheduled" if self.is_scheduled else self.get_status_display()


class ArticleAuthor(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self):
        return f"{self.author} on {self.article}"


MARKDOWN_HELP = "Markdown: **bold**, *italic*, [link](https://…), footnotes with [^1] and a line “[^1]: the note”."


def _check_plain_text(**fields):
    """Plain-text fields are printed as typed: Markdown in them would reach readers as literal "**"."""
    from articles.markdown import check_plain_text

    errors = {}
    for name, value in fields.items():
        try:
            check_plain_text(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)


class BriefPart(models.Model):
    """An ordered part of an article's brief."""

    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Highlight(BriefPart):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="highlights")
    text = models.CharField(
        max_length=400, help_text="One bullet, one sentence: a takeaway a reader can repeat. Plain text, no Markdown."
    )

    class Meta(BriefPart.Meta):
        pass

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        _check_plain_text(text=self.text)


class Finding(BriefPart):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="findings")
    headline = models.CharField(
        max_length=250, help_text='A short claim, e.g. "Russia has the rocks, but not the refineries."'
    )
    explanation = models.TextField(blank=True, help_text=MARKDOWN_HELP)
    explanation_html = models.TextField(blank=True, editable=False)

    class Meta(BriefPart.Meta):
        pass

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        from articles.markdown import render_markdown

        self.explanation_html = render_markdown(self.explanation)
        super().save(*args, **kwargs)


class BriefSection(BriefPart):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=250, help_text='e.g. "Why Investors Should Care".')
    body = models.TextField(blank=True, help_text=MARKDOWN_HELP)
    body_html = models.TextField(blank=True, editable=False)

    class Meta(BriefPart.Meta):
        verbose_name = "free section"

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        from articles.markdown import render_markdown

        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class Signal(BriefPart):
    class Kind(models.TextChoices):
        SOLID = "solid", "Solid"
        SPECULATIVE = "speculative", "Speculative"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        help_text="Solid: well supported by the paper. Speculative: what the paper hopes or assumes.",
    )
    text = models.TextField(help_text="Plain text, no Markdown.")

    class Meta(BriefPart.Meta):
        verbose_name = "signal vs. noise item"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"

    def clean(self):
        super().clean()
        _check_plain_text(text=self.text)


class Limitation(BriefPart):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="limitations")
    label = models.CharField(max_length=120, help_text='e.g. "Desk research bias".')
    text = models.TextField(
        help_text="Why a reader should hold the finding a little more loosely. Plain text, no Markdown."
    )

    class Meta(BriefPart.Meta):
        pass

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        _check_plain_text(label=self.label, text=self.text)


class Citation(BriefPart):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        help_text="Type to find the paper. New paper? Add it under Sources first (paste its BibTeX or RIS).",
    )

    class Meta(BriefPart.Meta):
        constraints = [models.UniqueConstraint(fields=["article", "source"], name="unique_citation")]

    def __str__(self):
        return str(self.source)


class Correction(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    date = models.DateField(default=timezone.localdate, help_text="The day the correction was made.")
    text = models.TextField(help_text="What was wrong and what it now says.")

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"Correction, {self.date:%-d %b %Y}"


class SlugRedirect(models.Model):
    """An old slug of a published article, answered with a 301 to its current address."""

    old_slug = models.SlugField(max_length=220, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.old_slug


class Transition(models.Model):
    """One move in the editorial workflow: who moved which article from what to what."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Article.Status.choices)
    to_status = models.CharField(max_length=20, choices=Article.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.article}: {self.from_status} → {self.to_status}"


# --- The parts of a brief, declared once ------------------------------------------------------
# Every consumer of "the parts of an article" reads this list: the reader query (articles.queries),
# reading time (Article.compute_reading_time), revisions and their snapshots (below and
# articles.revisions), the page cache's invalidation (articles.signals) and the admin inlines
# (articles.admin). Adding a part means adding its model, its migration and one entry here;
# tests/articles/test_brief_parts.py fails if a consumer does not follow.


@dataclass(frozen=True)
class BriefPartKind:
    """One kind of child row of an article's brief."""

    model: type[models.Model]
    # What editors and revision diffs call one of these.
    label: str
    # The inline's heading in the admin: what the part is for, in the editors' words.
    admin_title: str
    # The fields editors type, in the order they read; counted in the reading time when `reading_time`.
    text_fields: tuple[str, ...] = ()
    reading_time: bool = True
    # The columns the reader page needs, carried inside the article's row by articles.queries.with_brief
    # (None: the query builds this part by joining another table, e.g. a byline's author).
    reader_fields: tuple[str, ...] | None = None
    # The admin inline: its form fields (a tuple groups fields on one line), layout and lookups.
    admin_fields: tuple = ()
    stacked: bool = False
    autocomplete_fields: tuple[str, ...] = ()
    admin_extra: int = 0

    @property
    def related_name(self) -> str:
        """`article.<related_name>` is the manager of this part's rows."""
        return self.model._meta.get_field("article").remote_field.related_name

    @property
    def ordering(self) -> list[str]:
        return list(self.model._meta.ordering)


BRIEF_PARTS: tuple[BriefPartKind, ...] = (
    BriefPartKind(
        ArticleAuthor,
        "Byline",
        "Bylines (authors, in the order shown to readers)",
        reading_time=False,
        admin_fields=("author", "position"),
        autocomplete_fields=("author",),
        admin_extra=1,
    ),
    BriefPartKind(
        Highlight,
        "Highlight",
        "Highlights (two to four bullets at the top)",
        text_fields=("text",),
        reader_fields=("id", "position", "text"),
        admin_fields=("text", "position"),
    ),
    BriefPartKind(
        Finding,
        "Finding",
        "Findings (a short claim, then what the paper shows)",
        text_fields=("headline", "explanation"),
        reader_fields=("id", "position", "headline", "explanation_html"),
        admin_fields=(("headline", "position"), "explanation"),
        stacked=True,
    ),
    BriefPartKind(
        BriefSection,
        "Free section",
        "Free sections (e.g. “Why Investors Should Care”)",
        text_fields=("heading", "body"),
        reader_fields=("id", "position", "heading", "body_html"),
        admin_fields=(("heading", "position"), "body"),
        stacked=True,
    ),
    BriefPartKind(
        Signal,
        "Signal",
        "Signals vs. noise (what is solid, what is speculative)",
        text_fields=("text",),
        reader_fields=("id", "position", "kind", "text"),
        admin_fields=("kind", "text", "position"),
    ),
    BriefPartKind(
        Limitation,
        "Limitation",
        "Limitations (read before leaping)",
        text_fields=("label", "text"),
        reader_fields=("id", "position", "label", "text"),
        admin_fields=("label", "text", "position"),
    ),
    BriefPartKind(
        Citation,
        "Citation",
        "Citations (the papers this brief is based on)",
        reading_time=False,
        admin_fields=("source", "position"),
        autocomplete_fields=("source",),
    ),
    BriefPartKind(
        Correction,
        "Correction",
        "Corrections (shown, dated, at the foot of the article)",
        text_fields=("text",),
        reading_time=False,
        admin_fields=("date", "text"),
    ),
)


# --- Revisions (django-reversion) -------------------------------------------------------------
# Registered here, with the models, so they are registered before the admin (VersionAdmin) looks.
# Workflow state, `version` and derived columns are not content: a restore keeps their current values
# (articles.services.article_restore_revision) and recomputes the derived ones.
reversion.register(
    Article,
    exclude=("search_vector", "version", "hero_renditions", "reading_time", "intro_html", "bottom_line_html"),
    follow=tuple(part.related_name for part in BRIEF_PARTS),
)
for _part in BRIEF_PARTS:
    reversion.register(_part.model)


# --- Share links for outside reviewers ------------------------------------------------------------


class ShareLinkQuerySet(models.QuerySet):
    def active(self):
        """Links that open a preview now: neither revoked nor past their expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A preview link for someone without an account, one row per link so that each can be revoked.

    Only a SHA-256 digest of the token is stored: a copy of the database does not open previews.
    The link is shown once, when it is made (articles.sharing.share_link_create).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The last characters of the token, so that editors can tell their links apart in the list.
    token_hint = models.CharField(max_length=8, editable=False)
    # Pinned: the reviewer reads this revision, whatever is edited later. Empty: always the latest text.
    # CASCADE: if old revisions are pruned (deleterevisions), a link pinned to one stops working (404).
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.CASCADE, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Share link …{self.token_hint} to {self.article}"

    @property
    def is_pinned(self) -> bool:
        return self.revision_id is not None

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"


# --- Autosave of the admin form ---------------------------------------------------------------------


class ArticleAutosave(models.Model):
    """The article form as one editor last typed it, saved every few seconds (articles.autosave).

    Not a revision and not the article: the article row, its version and its revisions change only when
    the editor saves the form, so an autosave never gets past the edit-conflict check. One per editor
    and article (article empty: a new article not saved yet).
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The posted form fields, name -> list of values (files are not kept).
    data = models.JSONField(default=dict)
    # The article's version the editor started from (the form's expected_version).
    base_version = models.PositiveIntegerField(null=True, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], condition=models.Q(article__isnull=False), name="autosave_one_per_article"
            ),
            models.UniqueConstraint(fields=["user"], condition=models.Q(article__isnull=True), name="autosave_one_new"),
        ]

    def __str__(self):
        return f"Autosave of {self.article or 'a new article'} by {self.user}"
