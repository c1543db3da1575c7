"""The one CSL-JSON item of a Source, and of a brief cited as a news article: every other output starts here."""

import logging
import re

from anyascii import anyascii

from articles.source_types import (
    Creator,
    kind_mapping,
)

logger = logging.getLogger(__name__)

# --- CSL-JSON -------------------------------------------------------------------------------------


def _csl_name(creator: Creator) -> dict:
    if creator.is_organisation:
        return {"literal": creator.organisation}
    if not creator.given:
        return {"literal": creator.family}
    return {"family": creator.family, "given": creator.given}


def citation_key(source) -> str:
    """The BibTeX key: the pasted one if there was one, else first author + year + first long title word,
    transliterated to ASCII ("Ødegård" -> "odegard", "王" -> "wang") so every BibTeX tool accepts it."""
    if getattr(source, "citation_key", ""):
        return source.citation_key
    creators = source.creators
    family = creators[0].family_or_name.split()[0] if creators and creators[0].family_or_name else "anon"
    if creators and creators[0].is_organisation:
        family = "".join(word[0] for word in re.findall(r"\w+", creators[0].organisation)) or family
    words = re.findall(r"[A-Za-z]+", anyascii(source.title))
    first_word = next((w for w in words if len(w) > 3), "work")
    key = f"{anyascii(family)}{source.year or 'nd'}{first_word}"
    return re.sub(r"[^A-Za-z0-9]", "", key).lower()


def source_csl_json(source) -> dict:
    """CSL-JSON (the format Zotero, Mendeley and citeproc read) for one source."""
    mapping = kind_mapping(source.kind)
    data = {
        "id": citation_key(source),
        "type": mapping.csl,
        "title": source.title,
        "author": [_csl_name(c) for c in source.creators],
    }
    if source.year:
        data["issued"] = {"date-parts": [[source.year]]}
    optional = {
        "container-title": source.container,
        "publisher": source.issuer,
        # CSL's issuing body of a law or standard; the publisher stays the issuer for styles that ignore it.
        "authority": source.institution if source.kind in ("legislation", "standard") else "",
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "DOI": source.doi or "",
        "URL": source.doi_url or source.url,
    }
    data.update({k: v for k, v in optional.items() if v})
    return data


# --- The brief itself, cited as a news article ------------------------------------------------------------

# Bylines that name a team, not a person: cited as written, never inverted to "Desk, R. R.".
_TEAM_WORDS = re.compile(r"\b(desk|team|staff|newsroom|editors|editorial|bureau|research)\b", re.IGNORECASE)


def _byline_name(name: str) -> dict:
    name = " ".join(name.split())
    if _TEAM_WORDS.search(name) or " " not in name:
        return {"literal": name}
    given, family = name.rsplit(" ", 1)
    return {"family": family, "given": given}


def article_csl_json(article) -> dict:
    """CSL-JSON of a brief on this site: a news article by its byline authors, in the site as container.

    `article` is prepared by articles.queries.attach_brief (its `byline_authors`)."""
    from django.conf import settings
    from django.utils import timezone

    # A brief without a byline is the site's own work (and an author-less item repeats its title in APA).
    authors = [_byline_name(author.name) for author in getattr(article, "byline_authors", [])]
    authors = authors or [{"literal": settings.SITE_NAME}]
    published = article.first_published_at or article.published_at
    first = authors[0]
    family = first.get("family") or first.get("literal", "")
    words = re.findall(r"[A-Za-z]+", anyascii(article.title))
    key = f"{anyascii(family.split()[0]) if family else 'reex'}{published.year if published else 'nd'}"
    key += next((w for w in words if len(w) > 3), "brief")
    data = {
        "id": re.sub(r"[^A-Za-z0-9]", "", key).lower(),
        "type": "article-newspaper",
        "title": article.title,
        "author": authors,
        # The site is the "newspaper"; no separate publisher, or IEEE prints the name twice.
        "container-title": settings.SITE_NAME,
        "URL": settings.SITE_URL + article.get_absolute_url(),
    }
    if published:
        day = timezone.localtime(published).date()
        data["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    return data
