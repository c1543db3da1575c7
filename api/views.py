"""The Content API, version 1: read-only JSON under /api/v1/ (django-ninja; see docs/api.md).

Views are thin: check the parameters, run one read from api.queries, shape it
with api.representations, and let api.http answer (cache, ETag, 304).

One module (~460 lines) on purpose: it is the whole v1 surface, every endpoint with the parameter
checkers, error handlers and cursor paging they share, so the API reads top to bottom as its schema does.
"""

import base64
import binascii
import json
from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyQuery
from ninja.throttling import BaseThrottle

from api import schemas
from api.http import ApiError, bad_parameter, error_body, errors_response, json_response
from api.models import ApiKey
from api.queries import (
    ARTICLE_ORDERINGS,
    article_rows,
    articles_filtered,
    authors_published,
    keyset_page,
    sections_all,
    sources_cited,
    tags_published,
    with_citing_briefs,
)
from api.representations import (
    ARTICLE_FIELDS,
    ARTICLE_INCLUDES,
    article_json,
    author_json,
    section_json,
    source_json,
    source_with_briefs_json,
    tag_json,
)
from articles.doi import normalize_doi
from reex.client_ip import client_ip
from reex.throttle import within_limit

MAX_LIMIT = 100
MAX_TEXT = 200
PG_BIGINT_MAX = 2**63 - 1
ERRORS = {400: schemas.Errors, 401: schemas.Errors, 404: schemas.Errors, 429: schemas.Errors}
NOT_MODIFIED = {304: None}


class ContentKey(APIKeyQuery):
    """`?key=` a Content API key; without one, anonymous access when API_ANONYMOUS is on."""

    param_name = "key"

    def authenticate(self, request, key):
        if key:
            return ApiKey.objects.matching(key).first()  # None: an unknown or revoked key is a 401
        return "anonymous" if settings.API_ANONYMOUS else None


class KeyRateLimit(BaseThrottle):
    """API_RATE_WINDOW_SECONDS windows: each key has its own limit; anonymous callers one per IP address."""

    def allow_request(self, request) -> bool:
        window = settings.API_RATE_WINDOW_SECONDS
        if isinstance(request.auth, ApiKey):
            return within_limit(f"api:rate:key:{request.auth.pk}", limit=request.auth.rate_limit, window=window)
        return within_limit(f"api:rate:ip:{client_ip(request)}", limit=settings.API_ANONYMOUS_RATE_LIMIT, window=window)

    def wait(self):
        return settings.API_RATE_WINDOW_SECONDS


class ContentApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        if settings.API_ANONYMOUS:
            # The key is optional then: `{}` in an operation's security means "or no credentials at all".
            for operations in schema["paths"].values():
                for operation in operations.values():
                    operation["security"] = [*operation.get("security", []), {}]
        return schema


api = ContentApi(
    title="Reex Content API",
    version="1",
    description="Read-only access to published research briefs, their sources, authors, sections and tags. "
    "See docs/api.md for examples.",
    urls_namespace="api",
    auth=ContentKey(),
    throttle=KeyRateLimit(),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)


# --- errors: always {"errors": [{"code", "message", "parameter"?}]} -----------------------------


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        parameter = location[0] if location else "request"
        errors.append(error_body("invalid_parameter", f"{parameter}: {error.get('msg', 'invalid')}", parameter))
    return errors_response(400, errors or [error_body("invalid_parameter", "Invalid request.")])


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return errors_response(exc.status, [error_body(exc.code, exc.message, exc.parameter)])


@api.exception_handler(Http404)
def _not_found(request, exc):
    return errors_response(404, [error_body("not_found", str(exc) or "Not found.")])


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    message = "The key is unknown or revoked." if request.GET.get("key") else "This API needs a key: add ?key=..."
    return errors_response(401, [error_body("unauthorized", message, "key")])


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 429:
        return errors_response(
            429,
            [error_body("rate_limited", "Too many requests; try again after Retry-After seconds.")],
            headers={"Retry-After": str(settings.API_RATE_WINDOW_SECONDS)},
        )
    return errors_response(exc.status_code, [error_body("error", str(exc))])


# --- parameters ----------------------------------------------------------------------------


def _text(name: str, value: str | None) -> str | None:
    """A free-text parameter: None when absent or empty; NUL (which PostgreSQL cannot hold) is a 400."""
    if value is None or value == "":
        return None
    if "\x00" in value:
        raise bad_parameter(name, "must not contain NUL characters.")
    return value


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_parameter(name, "not a day of the calendar (YYYY-MM-DD).") from None


def _choices(name: str, value: str | None, allowed) -> tuple[str, ...]:
    if not value:
        return ()
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [part for part in chosen if part not in allowed]
    if unknown:
        raise bad_parameter(name, f"unknown {', '.join(repr(u) for u in unknown)}; choose from {', '.join(allowed)}.")
    return chosen


def _encode_cursor(order: str, value, pk: int) -> str:
    value = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([order, value, pk]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, order: str, kind=str):
    """The (value, id) a page starts after. A cursor from another ordering, or not one of ours, is a 400."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_order, value, pk = json.loads(raw)
        if cursor_order != order or not isinstance(pk, int) or not 0 < pk <= PG_BIGINT_MAX:
            raise ValueError
        if kind is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
        elif kind is int:
            if type(value) is not int or not 0 < value <= PG_BIGINT_MAX:
                raise ValueError
        elif not isinstance(value, str) or "\x00" in value:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise bad_parameter("cursor", "not a cursor from this listing; use meta.pagination.next_cursor.") from None
    return value, pk


def _page(rows, limit, order, column):
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows and has_more else None
    next_cursor = _encode_cursor(order, getattr(last, column), last.pk) if last is not None else None
    return rows, {"pagination": {"limit": limit, "next_cursor": next_cursor}}


Limit = Query(10, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
# Dates are read as strings of one exact form: pydantic's lax date parsing would also take `0` (1970-01-01).
_DAY = {"pattern": r"^\d{4}-\d{2}-\d{2}$", "example": "2025-01-31"}
PublishedFrom = Query(None, description="Published on or after this day (UTC), YYYY-MM-DD.", **_DAY)
PublishedTo = Query(None, description="Published on or before this day (UTC), YYYY-MM-DD.", **_DAY)
Cursor = Query(None, max_length=500, description="meta.pagination.next_cursor of the previous page.")


# --- articles --------------------------------------------------------------------------------


@api.get(
    "/articles/",
    response={200: schemas.ArticleList, **NOT_MODIFIED, **ERRORS},
    summary="List published articles",
    tags=["articles"],
)
def article_list(
    request,
    q: str | None = Query(
        None, max_length=MAX_TEXT, description="Full-text search, as the site's search box (websearch syntax)."
    ),
    section: str | None = Query(None, max_length=MAX_TEXT, description="A section's slug."),
    tag: str | None = Query(None, max_length=MAX_TEXT, description="A tag's slug."),
    author: str | None = Query(None, max_length=MAX_TEXT, description="An author's slug."),
    doi: str | None = Query(None, max_length=MAX_TEXT, description="Articles citing the source with this DOI."),
    evidence: Literal["peer_reviewed", "preprint", "report", "dataset", "other"] | None = Query(
        None, description="Articles citing at least one source of this evidence type."
    ),
    published_from: str | None = PublishedFrom,
    published_to: str | None = PublishedTo,
    order: Literal["-published_at", "published_at", "title", "-title"] = Query(
        "-published_at", description="Sort order; ties are broken by id, so pages are stable."
    ),
    include: str | None = Query(
        None, max_length=MAX_TEXT, description=f"Comma-separated extras: {', '.join(ARTICLE_INCLUDES)}."
    ),
    fields: str | None = Query(
        None,
        max_length=1000,
        description=f"Comma-separated top-level fields to return, from: {', '.join(ARTICLE_FIELDS)}.",
    ),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """Newest first by default. Only published articles: drafts and scheduled articles never appear."""
    include_ = _choices("include", include, ARTICLE_INCLUDES)
    fields_ = _choices("fields", fields, ARTICLE_FIELDS)
    q_ = _text("q", q)
    filters = {
        "section": _text("section", section),
        "tag": _text("tag", tag),
        "author": _text("author", author),
        "evidence": evidence,
        "published_from": _day("published_from", published_from),
        "published_to": _day("published_to", published_to),
    }
    doi_ = _text("doi", doi)
    if doi_ is not None:
        try:
            filters["doi"] = normalize_doi(doi_)
        except DjangoValidationError:
            raise bad_parameter("doi", "not a DOI (e.g. 10.15826/recon.2025.11.3.016).") from None
    if filters["published_from"] and filters["published_to"] and filters["published_from"] > filters["published_to"]:
        raise bad_parameter("published_to", "is before published_from.")
    column, descending = ARTICLE_ORDERINGS[order]
    after = _decode_cursor(cursor, order, datetime if column == "published_at" else str)

    def build():
        queryset = article_rows(
            articles_filtered(q=q_, **filters), brief="brief" in include_ or "sources" in include_
        ).select_related("section")
        rows = keyset_page(queryset, column=column, descending=descending, after=after, limit=limit)
        rows, meta = _page(rows, limit, order, column)
        return {"articles": [article_json(a, include=include_, fields=fields_) for a in rows], "meta": meta}

    return json_response(request, build)


@api.get(
    "/articles/{slug}",
    response={200: schemas.ArticleDetail, **NOT_MODIFIED, **ERRORS},
    summary="One published article with its whole brief",
    tags=["articles"],
)
def article_detail(
    request,
    slug: str = Path(..., max_length=MAX_TEXT, description="The article's slug."),
    fields: str | None = Query(None, max_length=1000, description="Comma-separated top-level fields to return."),
):
    """A draft, scheduled or unpublished article is a 404, exactly like a slug that never existed."""
    fields_ = _choices("fields", fields, ARTICLE_FIELDS)
    if "\x00" in slug:
        raise Http404("No such article.")

    def build():
        article = article_rows(articles_filtered(), brief=True).select_related("section").filter(slug=slug).first()
        if article is None:
            raise Http404("No such article.")
        return {"article": article_json(article, fields=fields_)}

    return json_response(request, build)


# --- sources ---------------------------------------------------------------------------------


@api.get(
    "/sources/",
    response={200: schemas.SourceList, **NOT_MODIFIED, **ERRORS},
    summary="List sources cited by published articles",
    tags=["sources"],
)
def source_list(
    request,
    doi: str | None = Query(None, max_length=MAX_TEXT, description="Only the source with this DOI."),
    evidence: Literal["peer_reviewed", "preprint", "report", "dataset", "other"] | None = Query(
        None, description="Only sources of this evidence type."
    ),
    # A Literal alias from schemas (one list of kinds for the filter and the response); ruff cannot see
    # through the alias that it is immutable, as it does for the inline Literal above.
    kind: schemas.SourceKind | None = Query(  # noqa: B008
        None, description="Only sources of this type (a report, a dataset, ...)."
    ),
    include: str | None = Query(None, max_length=MAX_TEXT, description="briefs: the published articles citing each."),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    include_ = _choices("include", include, ("briefs",))
    sources = sources_cited()
    doi_ = _text("doi", doi)
    if doi_ is not None:
        try:
            sources = sources.filter(doi=normalize_doi(doi_))
        except DjangoValidationError:
            raise bad_parameter("doi", "not a DOI (e.g. 10.15826/recon.2025.11.3.016).") from None
    if evidence is not None:
        sources = sources.filter(evidence=evidence)
    if kind is not None:
        sources = sources.filter(kind=kind)
    after = _decode_cursor(cursor, "sources", int)

    def build():
        queryset = with_citing_briefs(sources) if include_ else sources
        rows = keyset_page(queryset, column="id", descending=False, after=after, limit=limit)
        rows, meta = _page(rows, limit, "sources", "id")
        shape = source_with_briefs_json if include_ else source_json
        return {"sources": [shape(s) for s in rows], "meta": meta}

    return json_response(request, build)


@api.get(
    "/sources/{source_id}",
    response={200: schemas.SourceDetail, **NOT_MODIFIED, **ERRORS},
    summary="One source, with the published articles citing it",
    tags=["sources"],
)
def source_detail(request, source_id: int = Path(..., ge=1, le=PG_BIGINT_MAX, description="The source's id.")):
    def build():
        source = with_citing_briefs(sources_cited()).filter(pk=source_id).first()
        if source is None:
            raise Http404("No such source.")
        return {"source": source_with_briefs_json(source)}

    return json_response(request, build)


# --- authors, sections, tags -------------------------------------------------------------------


def _slug_list(request, queryset, name, shape, limit, cursor):
    after = _decode_cursor(cursor, name, str)

    def build():
        rows = keyset_page(queryset, column="slug", descending=False, after=after, limit=limit)
        rows, meta = _page(rows, limit, name, "slug")
        return {name: [shape(row) for row in rows], "meta": meta}

    return json_response(request, build)


def _slug_detail(request, queryset, name, shape, slug):
    if "\x00" in slug:
        raise Http404(f"No such {name}.")

    def build():
        row = queryset.filter(slug=slug).first()
        if row is None:
            raise Http404(f"No such {name}.")
        return {name: shape(row)}

    return json_response(request, build)


@api.get(
    "/authors/",
    response={200: schemas.AuthorList, **NOT_MODIFIED, **ERRORS},
    summary="List authors of published articles",
    tags=["authors"],
)
def author_list(request, limit: int = Limit, cursor: str | None = Cursor):
    return _slug_list(request, authors_published(), "authors", author_json, limit, cursor)


@api.get(
    "/authors/{slug}",
    response={200: schemas.AuthorDetail, **NOT_MODIFIED, **ERRORS},
    summary="One author",
    tags=["authors"],
)
def author_detail(request, slug: str = Path(..., max_length=MAX_TEXT)):
    return _slug_detail(request, authors_published(), "author", author_json, slug)


@api.get(
    "/sections/",
    response={200: schemas.SectionList, **NOT_MODIFIED, **ERRORS},
    summary="List every section, in navigation order",
    tags=["sections"],
)
def section_list(request):
    return json_response(request, lambda: {"sections": [section_json(s) for s in sections_all()]})


@api.get(
    "/sections/{slug}",
    response={200: schemas.SectionDetail, **NOT_MODIFIED, **ERRORS},
    summary="One section",
    tags=["sections"],
)
def section_detail(request, slug: str = Path(..., max_length=MAX_TEXT)):
    return _slug_detail(request, sections_all(), "section", section_json, slug)


@api.get(
    "/tags/",
    response={200: schemas.TagList, **NOT_MODIFIED, **ERRORS},
    summary="List tags of published articles",
    tags=["tags"],
)
def tag_list(request, limit: int = Limit, cursor: str | None = Cursor):
    return _slug_list(request, tags_published(), "tags", tag_json, limit, cursor)


@api.get("/tags/{slug}", response={200: schemas.TagDetail, **NOT_MODIFIED, **ERRORS}, summary="One tag", tags=["tags"])
def tag_detail(request, slug: str = Path(..., max_length=MAX_TEXT)):
    return _slug_detail(request, tags_published(), "tag", tag_json, slug)
