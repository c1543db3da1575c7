"""Reader-site test content: the Russia brief of the reference page, built with the shared factories.

The hero image is drawn here and stored as WebP renditions, the way the
image pipeline stores them, so pages get a real srcset.
"""

import io
import mimetypes
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.models import (
    Article,
    ArticleAuthor,
    BriefSection,
    Citation,
    Correction,
    Finding,
    Highlight,
    Limitation,
    Signal,
)
from articles.search import refresh_search_vector
from tests.factories import make_article, make_author, make_section, make_source

RUSSIA_TITLE = (
    "Russia’s Rare Earths Crossroads: Ambition, Bottlenecks, and a Risk-Adjusted Path Forward–A Long Steep Trek"
)
RUSSIA_DOI = "10.15826/recon.2025.11.3.016"
HIGHLIGHTS = [
    "Russia possesses significant rare earth reserves but remains a minor global producer due to fragmented "
    "processing chains, limited refining expertise, and high investment risk.",
    "The country's domestic demand doesn't align with global magnet-grade trends (NdFeB, Dy, Tb), creating a "
    "mismatch between production capabilities and market needs.",
    "Achieving competitiveness requires state-backed integration from mine to magnet, but execution faces "
    "challenges including capital mobilization, technology deployment, and geopolitical constraints.",
]
FINDINGS = [
    (
        "Russia has the rocks, but not the refineries.",
        "Deposits are unevenly distributed, and the country’s mining-to-magnet chain is broken into pieces, "
        "making scale and consistency hard.",
    ),
    ("Price swings bite.", "Volatile global prices and tech shifts increase project risk, making financing expensive."),
    (
        "Home demand ≠ export reality.",
        "Domestic consumption patterns trail global magnet and EV trends, leaving a mismatch between what Russia "
        "can make and what the market wants.",
    ),
    (
        "Policy matters.",
        "Authors recommend state-backed, integrated value chains—from mine to metals to magnet alloys—to achieve "
        "“technological sovereignty.”",
    ),
]
WHY_INVESTORS = (
    "If Russia can bundle feedstock + processing + offtake, it could rise from reserve holder to reliable "
    "supplier—especially for Europe and Asia seeking non-China options. But the lift is heavy: it requires capex, "
    "process IP, environmental compliance, and guaranteed end-market pull (EVs, wind, defense). In other words, "
    "midstream mastery (separation, refining, alloying) is the prize—and the price."
)
SOLID = (
    "Clear-eyed diagnosis of structural gaps (processing fragmentation, price risk, demand mismatch) and a "
    "realistic call for integrated, policy-enabled build-out."
)
SPECULATIVE = (
    "The pace at which Russia can mobilize capital, deploy best-available separation tech, and secure stable "
    "export channels under sanction-tinged geopolitics. Execution risk remains high."
)
LIMITATIONS = [
    ("Desk research bias", "The study synthesizes USGS and Russian state reports, with limited plant-level data."),
    ("Market opacity", "Geopolitical constraints and sanctions can distort trade flows, pricing, and financing."),
    ("Technology readiness", "Bridging from academic flowsheets to commercial SX/IX is a multi-year process."),
]
BOTTOM_LINE = (
    "Mochalova and Podkorytov give a sober roadmap: Russia’s rare earth future hinges on midstream integration "
    "and demand alignment. Until then, Russia is potential, not a pivot."
)
INTRO = (
    "In “Current trends and prospects in Russia’s rare earth metals industry” (2025), Lyudmila A. Mochalova and "
    "Vladimir N. Podkorytov of Ural State Mining University conclude that while Russia holds significant rare "
    "earth reserves, it remains a minor player in global production."
)


_PALETTES = [
    # sky top, hill, far hill, ground, building
    ((100, 150, 200), "#5f7d6b", "#4e6b5a", "#7b8f6a", "#8d4a32"),
    ((214, 140, 90), "#6b5a4e", "#54473d", "#9a8a66", "#3f5566"),
    ((70, 110, 150), "#39505e", "#2e434f", "#55675a", "#b7791f"),
    ((160, 175, 190), "#7a7f86", "#60656b", "#8f8d80", "#5a3d2b"),
    ((90, 160, 170), "#4b6f5d", "#3c5c4c", "#6f8a5f", "#7d2f2f"),
]


def _hero_png(width=1600, height=900, variant=0) -> Image.Image:
    """A drawn landscape: sky, hills and a plant building, enough to look like a photo at a glance."""
    sky, hill, far_hill, ground, building = _PALETTES[variant % len(_PALETTES)]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = min(1, y / (height * 0.65))
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (235 - c) * t * 0.7) for c in sky))
    shift = (variant * 230) % 500
    draw.polygon([(0, 560), (420 + shift, 300), (900 + shift, 560)], fill=far_hill)
    draw.polygon([(500, 560), (1150 - shift // 2, 250), (1600, 560)], fill=hill)
    draw.rectangle([0, 560, width, height], fill=ground)
    left = 300 + shift
    draw.rectangle([left, 390, left + 700, 760], fill=building)
    draw.rectangle([left + 560, 220, left + 620, 390], fill=building)
    for col in range(7):
        for row in range(3):
            x, y = left + 40 + col * 92, 420 + row * 110
            draw.rectangle([x, y, x + 50, y + 70], fill="#efe3c4")
    return image


def store_hero(article, widths=(480, 960, 1440), variant=0) -> Article:
    original = io.BytesIO()
    image = _hero_png(variant=variant)
    image.save(original, "JPEG", quality=80)
    article.hero_image.save(f"russia-{article.pk}.jpg", ContentFile(original.getvalue()), save=False)
    renditions = {}
    for width in widths:
        buffer = io.BytesIO()
        image.resize((width, int(width * image.height / image.width))).save(buffer, "WEBP", quality=70)
        renditions[str(width)] = default_storage.save(
            f"renditions/russia-{article.pk}-{width}.webp", ContentFile(buffer.getvalue())
        )
    article.hero_renditions = renditions
    Article.objects.filter(pk=article.pk).update(hero_image=article.hero_image.name, hero_renditions=renditions)
    return article


def make_russia_brief(*, with_image=False, published_at=None) -> Article:
    """The reference page's brief (Mochalova & Podkorytov 2025), every part filled, search vector stored."""
    section = make_section(name="Research Briefs", slug="research-briefs", description="What the papers say.")
    author = make_author(
        name="Daniel O'Connor",
        slug="daniel",
        bio="Founder of Rare Earth Exchanges, with a lifelong passion for geology and mineralogy.",
    )
    source = make_source(
        authors="Mochalova, Lyudmila A.\nPodkorytov, Vladimir N.",
        year=2025,
        title="Current trends and prospects in Russia’s rare earth metals industry",
        container="URFU Journal Portal",
        doi=RUSSIA_DOI,
    )
    article = Article.objects.create(
        title=RUSSIA_TITLE,
        slug="russias-rare-earths-crossroads",
        standfirst="Russia holds large rare earth reserves, but fragmented processing and demand mismatch keep it "
        "a minor producer, a 2025 study finds.",
        intro=INTRO,
        intro_html=f"<p>{INTRO}</p>",
        bottom_line=BOTTOM_LINE,
        bottom_line_html=f"<p>{BOTTOM_LINE}</p>",
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=published_at or timezone.now() - timedelta(hours=3),
        first_published_at=published_at or timezone.now() - timedelta(hours=3),
        hero_alt="Large brick building with a fountain in front of it, related to the Russia rare earth industry",
        hero_caption="Experts at Ural State Mining University: promise, but…",
        hero_credit="Source: Wikipedia",
        reading_time=4,
        featured=True,
    )
    ArticleAuthor.objects.create(article=article, author=author, position=0)
    article.tags.add("Russia", "Separation", "Magnets")
    for position, text in enumerate(HIGHLIGHTS):
        Highlight.objects.create(article=article, position=position, text=text)
    for position, (headline, explanation) in enumerate(FINDINGS):
        Finding.objects.create(
            article=article,
            position=position,
            headline=headline,
            explanation=explanation,
            explanation_html=f"<p>{explanation}</p>",
        )
    BriefSection.objects.create(
        article=article,
        position=0,
        heading="Why Investors Should Care: The Contender’s Dilemma",
        body=WHY_INVESTORS,
        body_html=f"<p>{WHY_INVESTORS}</p>",
    )
    Signal.objects.create(article=article, position=0, kind=Signal.Kind.SOLID, text=SOLID)
    Signal.objects.create(article=article, position=1, kind=Signal.Kind.SPECULATIVE, text=SPECULATIVE)
    for position, (label, text) in enumerate(LIMITATIONS):
        Limitation.objects.create(article=article, position=position, label=label, text=text)
    Citation.objects.create(article=article, position=0, source=source)
    Correction.objects.create(article=article, text="An earlier version misspelled Podkorytov.")
    if with_image:
        store_hero(article)
    refresh_search_vector(article)
    article.refresh_from_db()
    return article


OTHER_ARTICLES = [
    (
        "Lynas Rare Earths Under the Microscope: Valuation Signal or Supply Chain Infrastructure?",
        "An analyst note asks whether the only scaled separator outside China should be priced as a miner or a utility.",
        "Markets",
    ),
    (
        "Rare Earth Shock Therapy: IEA Moves From Energy Security to Mineral Security",
        "The agency's new outlook treats magnet metals the way it once treated oil stocks.",
        "Policy",
    ),
    (
        "Thompson Nickel Recast: Stability Today, Strategic Leverage Tomorrow",
        "A restart plan in Manitoba pairs a long-lived nickel belt with an eye on critical-minerals credits.",
        "Markets",
    ),
    (
        "Can the West Claim Rare Earth Independence While Pricing Off China?",
        "Benchmarks for NdPr still come from Chinese exchanges; a working paper asks what that costs buyers.",
        "Policy",
    ),
]
OTHER_TITLES = [title for title, _, _ in OTHER_ARTICLES]


def serve_media(page, live_server_url, media_root):
    """The test server does not serve uploads (DEBUG is off); the browser gets them from MEDIA_ROOT."""

    def handle(route):
        path = route.request.url.split("/media/", 1)[1].split("?")[0]
        file = Path(media_root) / path
        if not file.is_file():
            route.fulfill(status=404, body="")
            return
        route.fulfill(status=200, body=file.read_bytes(), content_type=mimetypes.guess_type(file.name)[0])

    page.route(f"{live_server_url}/media/**", handle)


def build_site(media_root):
    brief = make_russia_brief(with_image=True)
    colleague = make_author(name="Mira Chen", slug="mira-chen", bio="Covers magnets and separation technology.")
    sections = {name: make_section(name=name, slug=name.lower()) for name in ("Markets", "Policy")}
    for hours, (title, standfirst, section) in enumerate(OTHER_ARTICLES, start=5):
        article = make_article(
            title=title,
            standfirst=standfirst,
            section=sections[section],
            authors=[colleague],
            tags=["Magnets"] if hours % 2 else ["China"],
            full_brief=True,
            published_at=timezone.now() - timedelta(hours=hours * 7),
            reading_time=3 + hours % 4,
        )
        store_hero(article, variant=hours)
        refresh_search_vector(article)
    return brief
