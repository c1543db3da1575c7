"""Fill a database with realistic, deterministic data at scale, for benchmarks.

    BENCH_TOOLS=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/reex_scale \\
        manage.py seed_scale --database reex_scale --articles 100000 --comments 1000000 --subscribers 1000000

Rows are streamed to PostgreSQL with COPY (no Python objects per row, flat
memory); search vectors are computed afterwards in SQL, in batches. The same
--seed gives the same data. Every column a model has is written (values the
command does not choose take the field's default), so a model that gains a
field keeps working here.

One long module on purpose: it is one command whose parts (reference data, COPY streams per
table, index handling) are only meaningful together, and it is dev tooling, not product code.

It lives in the `bench` app, which only development, tests and benchmarks install
(BENCH_TOOLS, on by default when DEBUG is), so a production deployment does not even
have the command. It writes nothing unless BENCH_TOOLS is on and --database names the
database it is connected to: the name must be typed, so a DATABASE_URL pointing at the
wrong place is refused instead of buried under a million rows.
"""

import io
import itertools
import json
import random
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils.text import slugify

MINERALS = [
    "neodymium", "praseodymium", "dysprosium", "terbium", "samarium", "lanthanum", "cerium", "yttrium",
    "europium", "gadolinium", "scandium", "lutetium", "gallium", "germanium", "lithium", "cobalt",
    "graphite", "antimony", "tungsten", "holmium",
]  # fmt: skip
PLACES = [
    "China", "Russia", "Australia", "Brazil", "Vietnam", "Myanmar", "Greenland", "Canada", "the United States",
    "India", "Malaysia", "Kazakhstan", "South Africa", "Tanzania", "Japan", "Estonia", "Norway", "Chile",
]  # fmt: skip
TOPICS = [
    "refining", "separation", "magnet recycling", "export controls", "offtake agreements", "ionic clay mining",
    "solvent extraction", "permanent magnets", "supply chain risk", "price volatility", "stockpiling",
    "tailings recovery", "metallisation", "processing capacity", "critical minerals policy", "EV motors",
    "wind turbines", "defence procurement", "ESG standards", "feasibility studies",
]  # fmt: skip
COMPANIES = [
    "Lynas", "Arafura", "Iluka", "MP Materials", "Neo Performance", "Energy Fuels", "Ucore", "Mkango", "Pensana",
    "Rainbow Rare Earths", "Vital Metals", "Hastings", "Peak Rare Earths", "Solvay", "Shenghe", "Northern Minerals",
    "Torngat", "Defense Metals", "Rare Element", "Meteoric", "Ionic Rare Earths", "Aclara", "USA Rare Earth",
    "Niron Magnetics", "Cyclic Materials", "REEtec", "Serra Verde", "Tantalus", "Kazatomprom", "Almonty",
]  # fmt: skip
_SYLLABLES = ["ka", "ro", "na", "mi", "tu", "lo", "ve", "sa", "ri", "do", "ba", "ne", "zu", "pe", "ga", "the"]
# Mine and project names, one per few dozen articles: what readers search for by name.
PROJECTS = [
    (_SYLLABLES[i % 16] + _SYLLABLES[(i // 16) % 16] + _SYLLABLES[(i // 256) % 16]).capitalize() for i in range(3000)
]
VERBS = ["reshapes", "tests", "exposes", "accelerates", "complicates", "rewrites", "strains", "opens", "narrows"]
NOUNS = ["outlook", "market", "bottleneck", "strategy", "pipeline", "advantage", "gap", "roadmap", "race"]
SENTENCES = [
    "The study maps capacity against demand and finds the midstream is the constraint.",
    "Processing know-how, not ore, decides who captures the value.",
    "Prices for magnet-grade oxides remain volatile after the latest quota announcement.",
    "The authors rely on desk research and public filings rather than plant-level data.",
    "Investors should read the capital expenditure figures as estimates, not commitments.",
    "Recycling can cover a growing share of demand once collection systems mature.",
    "Separation remains energy-intensive and dependent on reagents from a few suppliers.",
    "Policy support is rising, but permitting timelines have barely moved.",
    "Offtake agreements are doing more to de-risk projects than government grants.",
    "A domestic magnet industry needs metal and alloy capacity, not only mines.",
    "The paper's scenario analysis is careful but assumes stable export regimes.",
    "Technology transfer is the quiet variable in every partnership described.",
    "The data cover five years and stop before the most recent price shock.",
    "Environmental costs are acknowledged but not quantified in the main model.",
    "Heavy rare earths remain the tightest part of the market by a wide margin.",
]  # fmt: skip
COMMENT_SENTENCES = [
    "Great summary, thank you.", "I disagree with the bottom line here.", "Where can I find the original paper?",
    "This matches what we see in procurement.", "The capex numbers look optimistic to me.",
    "Recycling is still underrated in these analyses.", "What about heavy rare earths specifically?",
    "Interesting, but the timeline seems long.", "Our plant saw similar reagent shortages.",
    "Could you cover the permitting side next?", "Well argued.", "I would like to see plant-level data.",
    "Prices moved again this week.", "This is the key point for investors.", "Not convinced by the policy section.",
]  # fmt: skip
FIRST = ["Ada", "Ben", "Chen", "Dana", "Eli", "Farah", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Mateo", "Nia"]
LAST = ["Petrova", "Smith", "Wang", "Okafor", "Müller", "Rossi", "Tanaka", "Silva", "Novak", "Haddad", "Berg"]
SECTIONS = [
    ("Mining", "mining"), ("Processing", "processing"), ("Magnets", "magnets"), ("Policy", "policy"),
    ("Markets", "markets"), ("Recycling", "recycling"), ("Research", "research"), ("Supply Chain", "supply-chain"),
]  # fmt: skip
EPOCH = datetime(2026, 11, 1, tzinfo=UTC)  # fixed, so the same seed gives the same rows on any day


def _text(value) -> str:
    """One value in COPY's text format. Ordered by how often each type occurs."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is dict or kind is list:
        return _text(json.dumps(value))
    return _text(str(value))


class _Stream(io.RawIOBase):
    """A file-like view of a generator of COPY lines, so nothing is held in memory."""

    def __init__(self, lines):
        self.lines = lines
        self.buffer = b""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            chunk = "".join(line for _, line in zip(range(2000), self.lines, strict=False))
            if not chunk:
                break
            self.buffer += chunk.encode()
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


class Command(BaseCommand):
    help = "Fill a database of its own with realistic, deterministic data at scale (COPY; shows progress)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--comments", type=int, default=1_000_000)
        parser.add_argument("--subscribers", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--database",
            dest="confirm_database",
            required=True,
            help="The name of the database DATABASE_URL points at, typed out to confirm it may be filled.",
        )

    # --- plumbing ------------------------------------------------------------------------

    def _guard(self, options):
        # Django's own connection, not a reading of the URL text: this is the database the rows would go to.
        name = connection.settings_dict["NAME"]
        if not settings.BENCH_TOOLS:
            raise CommandError("Refusing to seed: BENCH_TOOLS is off (a production setting). Set BENCH_TOOLS=true.")
        if options["confirm_database"] != name:
            raise CommandError(
                f"Refusing to seed {name!r}: --database {options['confirm_database']!r} does not name it. "
                "Point DATABASE_URL at a database of its own and pass its name."
            )

    def _next_id(self, model) -> int:
        return (model._base_manager.aggregate(last=models.Max("id"))["last"] or 0) + 1

    @staticmethod
    def _default(model, field):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return EPOCH
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if isinstance(field, (models.CharField, models.TextField, models.FileField)):
            return ""
        raise CommandError(f"seed_scale does not know a value for {model.__name__}.{field.name}.")

    def _copy(self, model, label: str, total: int, rows):
        """COPY `rows` (dicts of attname -> value) into `model`'s table; other columns get their defaults."""
        rows = iter(rows)
        first_row = next(rows, None)
        if first_row is None:
            return
        rows = itertools.chain([first_row], rows)
        pk = model._meta.pk
        # The rows give some columns (ids too, when other tables point at them); every other column
        # gets its field's default, rendered once.
        given = list(first_row)
        known = {f.attname for f in model._meta.concrete_fields}
        if unknown := set(given) - known:
            raise CommandError(f"{model.__name__} has no column(s) {sorted(unknown)}.")
        rest = [f for f in model._meta.concrete_fields if f.attname not in first_row and f is not pk]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [*map(model._meta.get_field, given), *rest])
        suffix = "".join("\t" + _text(self._default(model, f)) for f in rest) + "\n"
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        started = time.monotonic()
        step = max(1, total // 10)
        written = [0]

        def lines():
            for n, row in enumerate(rows, 1):
                written[0] = n
                yield "\t".join([_text(row[name]) for name in given]) + suffix
                if n % step == 0:
                    rate = n / max(time.monotonic() - started, 1e-6)
                    self.stdout.write(f"  {label}: {n:,}/{total:,} ({rate:,.0f} rows/s)")

        with self._bulk_load(model._meta.db_table, big=total >= 20_000) as cursor:
            cursor.copy_expert(sql, _Stream(lines()), 1 << 20)
        elapsed = time.monotonic() - started
        self.timings[label] = round(elapsed, 1)
        self.stdout.write(self.style.SUCCESS(f"{label}: {written[0]:,} rows in {elapsed:.1f}s"))

    @contextmanager
    def _bulk_load(self, table: str, *, big: bool):
        """One transaction in which a big load runs without the table's plain indexes, rebuilt at the end.

        Building an index once over a million rows is several times faster than
        updating it a million times. Unique and primary-key indexes stay (they
        back constraints); if anything fails, the transaction restores everything.
        Foreign keys are not checked row by row when we may (superuser): the rows
        are consistent by construction.
        """
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            if self.superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
            indexes = []
            if big:
                cursor.execute(
                    """
                    SELECT i.relname, pg_get_indexdef(ix.indexrelid)
                      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
                     WHERE ix.indrelid = %s::regclass AND NOT ix.indisprimary AND NOT ix.indisunique
                    """,
                    [table],
                )
                indexes = cursor.fetchall()
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            yield cursor
            if indexes:
                started = time.monotonic()
                for _, definition in indexes:
                    cursor.execute(definition)
                self.stdout.write(f"  {table}: {len(indexes)} indexes rebuilt in {time.monotonic() - started:.1f}s")

    # --- the data ------------------------------------------------------------------------

    def handle(self, *args, **options):
        self._guard(options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self.superuser = bool(cursor.fetchone()[0])
        self.rng = random.Random(options["seed"])
        self.timings = {}
        started = time.monotonic()
        n_articles, n_comments, n_subscribers = options["articles"], options["comments"], options["subscribers"]

        sections, authors, tags = self._reference_data()
        if n_articles:
            published = self._articles(n_articles, sections, authors, tags)
        else:
            published = list(
                apps.get_model("articles", "Article").objects.published().values_list("id", "published_at")
            )
        if n_comments and published:
            self._comments(n_comments, published)
        if n_subscribers:
            self._subscribers(n_subscribers)
        self._finish()
        total = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Done in {total:.1f}s. Timings: {json.dumps(self.timings)}"))

    def _reference_data(self):
        Section = apps.get_model("articles", "Section")
        Author = apps.get_model("articles", "Author")
        Tag = apps.get_model("taggit", "Tag")
        sections = []
        for order, (name, slug) in enumerate(SECTIONS):
            section, _ = Section.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "order": order, "description": f"News and research on {name.lower()}."},
            )
            sections.append(section.pk)
        authors = []
        for i in range(60):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
            author, _ = Author.objects.get_or_create(
                slug=f"scale-{slugify(name)}-{i}",
                defaults={"name": name, "bio": f"{name} covers critical minerals and their supply chains."},
            )
            authors.append(author.pk)
        tags = []
        for name in [*MINERALS, *PLACES, *TOPICS]:
            tag, _ = Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            tags.append(tag.pk)
        return sections, authors, tags

    def _articles(self, total, sections, authors, tags):
        models_ = {name: apps.get_model("articles", name) for name in (
            "Article", "Source", "ArticleAuthor", "Highlight", "Finding", "BriefSection", "Signal", "Limitation",
            "Citation", "Correction",
        )}  # fmt: skip
        Article = models_["Article"]
        rng = self.rng
        first_article = self._next_id(Article)
        first_source = self._next_id(models_["Source"])
        n_sources = max(1, total // 2)
        span = timedelta(days=3650).total_seconds()

        # Statuses: mostly live, some scheduled, drafts, in review, unpublished. Fixed per id.
        def status_of(i):
            r = (i * 2654435761) % 100
            if r < 88:
                return "published", EPOCH - timedelta(seconds=span * ((i * 40503) % 100000) / 100000)
            if r < 90:
                return "published", datetime.now(UTC) + timedelta(days=1 + i % 30)  # scheduled
            if r < 95:
                return "draft", None
            if r < 98:
                return "review", None
            return "unpublished", EPOCH - timedelta(days=400 + i % 900)

        def sources():
            for k in range(n_sources):
                sid = first_source + k
                yield {
                    "id": sid,
                    "authors": "\n".join(
                        f"{LAST[(sid + j) % len(LAST)]}, {FIRST[(sid * 3 + j) % len(FIRST)]}"
                        for j in range(1 + sid % 4)
                    ),
                    "year": 2015 + sid % 11,
                    "title": f"{TOPICS[sid % len(TOPICS)].capitalize()} of {MINERALS[sid % len(MINERALS)]} in "
                    f"{PLACES[sid % len(PLACES)]}: evidence and outlook ({sid})",
                    "container": ["Resources Policy", "Minerals Engineering", "Nature Sustainability", "USGS"][sid % 4],
                    "doi": f"10.5555/reex-scale.{sid}",
                    "evidence": ["peer_reviewed", "preprint", "report", "dataset"][sid % 4],
                }

        self._copy(models_["Source"], "sources", n_sources, sources())

        published = []
        state = {}

        def articles():
            for k in range(total):
                aid = first_article + k
                status, published_at = status_of(aid)
                mineral, place, topic = rng.choice(MINERALS), rng.choice(PLACES), rng.choice(TOPICS)
                company, project = rng.choice(COMPANIES), PROJECTS[(aid * 7919) % len(PROJECTS)]
                if aid % 3:
                    title = f"{mineral.capitalize()} {topic} in {place} {rng.choice(VERBS)} the {rng.choice(NOUNS)}"
                else:
                    title = f"{company}'s {project} project {rng.choice(VERBS)} the {mineral} {rng.choice(NOUNS)}"
                paragraphs = rng.sample(SENTENCES, 4)
                intro = " ".join(paragraphs[:2])
                bottom = paragraphs[3]
                state[aid] = (mineral, place, topic)
                if status == "published" and published_at <= datetime.now(UTC):
                    published.append((aid, published_at))
                yield {
                    "id": aid,
                    "title": title[:200],
                    "slug": f"{slugify(title)[:200]}-{aid}",
                    "standfirst": f"What a new study of {topic} at {company}'s {project} project means for "
                    f"{mineral} supply from {place}.",
                    "intro": intro,
                    "intro_html": f"<p>{intro}</p>",
                    "bottom_line": bottom,
                    "bottom_line_html": f"<p>{bottom}</p>",
                    "section_id": sections[aid % len(sections)],
                    "featured": aid % 997 == 0,
                    "allow_comments": aid % 50 != 0,
                    "status": status,
                    "published_at": published_at,
                    "first_published_at": published_at if status in ("published", "unpublished") else None,
                    "created_at": (published_at or EPOCH) - timedelta(days=2),
                    "updated_at": (published_at or EPOCH) - timedelta(hours=1),
                    "reading_time": 3 + aid % 6,
                    "hero_renditions": {},
                }

        self._copy(Article, "articles", total, articles())

        def bylines():
            for k in range(total):
                aid = first_article + k
                chosen = rng.sample(authors, 1 + (aid % 5 == 0))
                for position, author in enumerate(chosen):
                    yield {"article_id": aid, "author_id": author, "position": position}

        self._copy(models_["ArticleAuthor"], "bylines", int(total * 1.2), bylines())

        def parts(make, per_article):
            for k in range(total):
                aid = first_article + k
                for position in range(per_article(aid)):
                    yield make(aid, position)

        mineral_of = lambda aid: state[aid][0]  # noqa: E731
        self._copy(
            models_["Highlight"],
            "highlights",
            total * 3,
            parts(
                lambda aid, p: {"article_id": aid, "position": p, "text": SENTENCES[(aid + p * 5) % len(SENTENCES)]},
                lambda aid: 3,
            ),
        )

        def finding(aid, p):
            text = SENTENCES[(aid * 3 + p) % len(SENTENCES)]
            return {
                "article_id": aid,
                "position": p,
                "headline": f"{mineral_of(aid).capitalize()}: finding {p + 1}",
                "explanation": text,
                "explanation_html": f"<p>{text}</p>",
            }

        self._copy(models_["Finding"], "findings", total * 2, parts(finding, lambda aid: 2))

        def free_section(aid, p):
            text = SENTENCES[(aid * 7 + p) % len(SENTENCES)]
            heading = ["Why Investors Should Care", "What Engineers Should Watch"][p]
            return {"article_id": aid, "position": p, "heading": heading, "body": text, "body_html": f"<p>{text}</p>"}

        self._copy(models_["BriefSection"], "free sections", total, parts(free_section, lambda aid: 1))
        self._copy(
            models_["Signal"],
            "signals",
            total * 2,
            parts(
                lambda aid, p: {
                    "article_id": aid,
                    "position": p,
                    "kind": ["solid", "speculative"][p],
                    "text": SENTENCES[(aid * 11 + p) % len(SENTENCES)],
                },
                lambda aid: 2,
            ),
        )
        self._copy(
            models_["Limitation"],
            "limitations",
            total,
            parts(
                lambda aid, p: {
                    "article_id": aid,
                    "position": p,
                    "label": ["Desk research bias", "Short time series", "No plant-level data"][aid % 3],
                    "text": SENTENCES[(aid * 13) % len(SENTENCES)],
                },
                lambda aid: 1,
            ),
        )
        self._copy(
            models_["Citation"],
            "citations",
            int(total * 1.5),
            parts(
                lambda aid, p: {
                    "article_id": aid,
                    "position": p,
                    "source_id": first_source + ((aid - first_article) // 2 + p * 7919) % n_sources,
                },
                lambda aid: 1 + aid % 2,
            ),
        )
        self._copy(
            models_["Correction"],
            "corrections",
            total // 100,
            (
                {
                    "article_id": first_article + k,
                    "date": EPOCH.date(),
                    "text": "An earlier version misstated a figure.",
                }
                for k in range(0, total, 100)
            ),
        )

        TaggedItem = apps.get_model("taggit", "TaggedItem")
        content_type = ContentType.objects.get_for_model(Article).pk

        def tagged():
            for k in range(total):
                aid = first_article + k
                chosen = set(rng.sample(tags, 3))
                for tag in sorted(chosen):
                    yield {"object_id": aid, "content_type_id": content_type, "tag_id": tag}

        self._copy(TaggedItem, "tags", total * 3, tagged())
        self._search_vectors(first_article, first_article + total)
        return published

    def _search_vectors(self, first, end):
        """The stored, weighted vector of articles/search.py, computed in SQL for a range of ids."""
        started = time.monotonic()
        batch = 10_000
        sql = """
            UPDATE articles_article a SET search_vector =
                setweight(to_tsvector('english', a.title), 'A')
                || setweight(to_tsvector('english', a.standfirst || ' ' || COALESCE(
                    (SELECT string_agg(h.text, ' ') FROM articles_highlight h WHERE h.article_id = a.id), '')), 'B')
                || setweight(to_tsvector('english', a.intro || ' ' || a.bottom_line || ' ' || concat_ws(' ',
                    (SELECT string_agg(f.headline || ' ' || f.explanation, ' ')
                       FROM articles_finding f WHERE f.article_id = a.id),
                    (SELECT string_agg(s.heading || ' ' || s.body, ' ')
                       FROM articles_briefsection s WHERE s.article_id = a.id),
                    (SELECT string_agg(s.text, ' ') FROM articles_signal s WHERE s.article_id = a.id),
                    (SELECT string_agg(l.label || ' ' || l.text, ' ')
                       FROM articles_limitation l WHERE l.article_id = a.id),
                    (SELECT string_agg(src.title || ' ' || src.authors || ' ' || src.container, ' ')
                       FROM articles_citation c JOIN articles_source src ON src.id = c.source_id
                      WHERE c.article_id = a.id),
                    (SELECT string_agg(t.name, ' ') FROM taggit_taggeditem ti JOIN taggit_tag t ON t.id = ti.tag_id
                      WHERE ti.object_id = a.id AND ti.content_type_id = %s)
                )), 'C')
            WHERE a.id >= %s AND a.id < %s
        """
        content_type = ContentType.objects.get_for_model(apps.get_model("articles", "Article")).pk
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        with self._bulk_load("articles_article", big=end - first >= 20_000) as cursor:
            for start in range(first, end, batch):
                cursor.execute(sql, [content_type, start, min(start + batch, end)])
                done = min(start + batch, end) - first
                self.stdout.write(f"  search vectors: {done:,}/{end - first:,}")
        self.timings["search vectors"] = round(time.monotonic() - started, 1)

    def _comments(self, total, published):
        Comment = apps.get_model("comments", "Comment")
        rng = self.rng
        first = self._next_id(Comment)
        # Readers pile onto some stories: comment counts follow a skewed (Pareto-like) distribution.
        weights = [1 / (1 + (i % 997)) ** 0.8 for i in range(len(published))]
        targets = rng.choices(range(len(published)), weights=weights, k=total)
        targets.sort()
        statuses = ["approved"] * 80 + ["pending"] * 10 + ["spam"] * 7 + ["removed"] * 3
        recent = EPOCH - timedelta(days=30)
        bodies = [" ".join(rng.sample(COMMENT_SENTENCES, 2 + k % 3)) for k in range(997)]

        def rows():
            cid = first
            previous_article, thread = None, []
            for index in targets:
                article_id, published_at = published[index]
                if article_id != previous_article:
                    previous_article, thread = article_id, []
                status = statuses[cid % 100]
                parent = thread[rng.randrange(len(thread))] if thread and cid % 10 < 3 else None
                created = published_at + timedelta(minutes=5 + len(thread) * 17 + cid % 13)
                name = f"{FIRST[cid % len(FIRST)]} {LAST[(cid // 7) % len(LAST)]}"
                body = bodies[cid % len(bodies)]
                moderated = status != "pending"
                yield {
                    "id": cid,
                    "article_id": article_id,
                    "parent_id": parent,
                    "name": name,
                    # Distinct per article, so the "no identical repeat" constraint holds.
                    "email": f"reader{cid}@example.org",
                    "url": "",
                    "body": body,
                    "status": status,
                    "created_at": created,
                    "is_staff_reply": parent is not None and cid % 50 == 0,
                    "notify_replies": cid % 4 == 0,
                    "moderated_at": created + timedelta(hours=2) if moderated else None,
                    "moderation_reason": "Matched a spam rule" if status == "spam" else "",
                    "ip_address": f"192.0.2.{cid % 250 + 1}" if created > recent else None,
                    "user_agent": "Mozilla/5.0 (seed_scale)" if created > recent else "",
                }
                if status == "approved":
                    thread.append(cid)
                cid += 1

        self._copy(Comment, "comments", total, rows())

    def _subscribers(self, total):
        try:
            Subscriber = apps.get_model("newsletter", "Subscriber")
        except LookupError:
            self.stdout.write(self.style.WARNING("No newsletter.Subscriber model yet; skipping subscribers."))
            return
        first = self._next_id(Subscriber)
        plan = ["confirmed"] * 70 + ["pending"] * 10 + ["unsubscribed"] * 12 + ["bounced"] * 5 + ["complained"] * 3
        sources = ["sidebar", "footer", "page", "import"]
        span = timedelta(days=1500).total_seconds()
        statuses = {choice for choice, _ in Subscriber.Status.choices}
        confirmed_ids = []

        def rows():
            for k in range(total):
                sid = first + k
                status = plan[(sid * 7) % 100]
                status = status if status in statuses else "confirmed"
                created = EPOCH - timedelta(seconds=span * ((sid * 7919) % 100000) / 100000)
                confirmed_at = created + timedelta(hours=1) if status != "pending" else None
                left = created + timedelta(days=60) if status in ("unsubscribed", "bounced", "complained") else None
                if confirmed_at:
                    confirmed_ids.append((sid, confirmed_at))
                yield {
                    "id": sid,
                    "email": f"subscriber{sid}@example.net",
                    "name": f"{FIRST[sid % len(FIRST)]} {LAST[sid % len(LAST)]}" if sid % 3 else "",
                    "status": status,
                    "source": sources[sid % 4],
                    "source_page": "/" if sid % 4 != 3 else "import 2025-01",
                    "created_at": created,
                    "updated_at": left or confirmed_at or created,
                    "confirmed_at": confirmed_at,
                    "unsubscribed_at": left if status == "unsubscribed" else None,
                    "suppressed_at": left if status in ("bounced", "complained") else None,
                    "suppressed_reason": {"bounced": "550 5.1.1 No such mailbox", "complained": "Spam complaint"}.get(
                        status, ""
                    ),
                    "form_version": "2026-11",
                }

        self._copy(Subscriber, "subscribers", total, rows())
        try:
            Consent = apps.get_model("newsletter", "ConsentRecord")
        except LookupError:
            return
        self._copy(
            Consent,
            "consent records",
            len(confirmed_ids),
            (
                {
                    "subscriber_id": sid,
                    "kind": "confirmed",
                    "created_at": at,
                    "form_version": "2026-11",
                    "consent_text": "Send me the daily news update. I can unsubscribe at any time.",
                    "source_page": "/",
                    "ip_hash": "",
                }
                for sid, at in confirmed_ids
            ),
        )

    def _finish(self):
        started = time.monotonic()
        models_ = [
            m for m in apps.get_models() if m._meta.app_label in ("articles", "comments", "newsletter", "taggit")
        ]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(statement)
            # Row-by-row vector updates sit in the GIN index's pending list until autovacuum merges
            # them; until then the planner prices the index so high that it scans the table instead.
            cursor.execute("SELECT gin_clean_pending_list('article_search_gin'::regclass)")
            cursor.execute("ANALYZE")
        self.timings["sequences + analyze"] = round(time.monotonic() - started, 1)
        from reex.pagecache import invalidate_lists

        invalidate_lists(nav=True)
