"""Citing: a cited source's reader page, and the citation files (BibTeX, RIS, CSL-JSON) of a source or a brief."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles import citations
from articles.models import Article, Source
from articles.pagination import _paginate
from articles.queries import attach_brief, with_bylines
from articles.views import _meta


def _cited_source(pk) -> Source:
    """A source a reader may see: one cited by at least one published article."""
    cited = Source.objects.filter(pk=pk, citations__article__in=Article.objects.published())
    source = cited.first()
    if source is None:
        raise Http404("No such source")
    return source


@require_safe
def source_detail(request, pk):
    source = _cited_source(pk)
    page = _paginate(request, Article.objects.published().filter(citations__source=source))
    return render(
        request,
        "articles/source_detail.html",
        {
            "source": source,
            "page_obj": page,
            "meta": _meta(
                request,
                title=source.title,
                description=f"Every {settings.SITE_NAME} brief based on “{source.title}”.",
                page=page,
            ),
        },
    )


# format: (function in articles.citations, content type, file extension)
CITATION_FORMATS = {
    "bib": ("source_bibtex", "application/x-bibtex; charset=utf-8"),
    "ris": ("source_ris", "application/x-research-info-systems; charset=utf-8"),
    "json": ("source_csl_json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


@require_safe
def source_citation(request, pk, extension):
    source = _cited_source(pk)
    function_name, content_type = CITATION_FORMATS[extension]
    body = getattr(citations, function_name)(source)
    if not isinstance(body, str):
        # A CSL-JSON file is a list of items; Zotero and citeproc read one item as a list of one.
        body = json.dumps([body], ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = citations.source_content_disposition(source, extension)
    return response


@require_safe
def article_citation(request, slug, extension):
    """The brief itself as a citation file (BibTeX, RIS or CSL-JSON), for reference managers."""
    article = with_bylines(Article.objects.published()).filter(slug=slug).first()
    if article is None:
        raise Http404("No such article")
    body, disposition = citations.article_export(attach_brief(article), extension)
    response = HttpResponse(body, content_type=CITATION_FORMATS[extension][1])
    response["Content-Disposition"] = disposition
    return response
