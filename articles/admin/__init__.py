"""The newsroom: articles, their brief parts, sources, sections and authors in the Django admin.

One module per model or topic; importing them registers their ModelAdmins with the admin site:
articles (ArticleAdmin and its workflow moves), history (its revision pages), parts (the brief's inlines),
filters and status (the changelist), sources, people (sections and authors) and transitions (the log).
"""

from articles.admin import articles, people, sources, transitions  # noqa: F401  (registration)
from articles.admin.articles import MOVES, ArticleAdmin
from articles.admin.filters import AuthorFilter, StatusFilter, TagFilter
from articles.admin.history import ArticleHistoryAdminMixin
from articles.admin.parts import BRIEF_PART_INLINES, ArticlePartMixin
from articles.admin.people import AuthorAdmin, SectionAdmin
from articles.admin.sources import SourceAdmin
from articles.admin.status import BADGE_COLOURS, SCHEDULED, status_badge, status_key
from articles.admin.transitions import TransitionAdmin

__all__ = [
    "BADGE_COLOURS",
    "BRIEF_PART_INLINES",
    "MOVES",
    "SCHEDULED",
    "ArticleAdmin",
    "ArticleHistoryAdminMixin",
    "ArticlePartMixin",
    "AuthorAdmin",
    "AuthorFilter",
    "SectionAdmin",
    "SourceAdmin",
    "StatusFilter",
    "TagFilter",
    "TransitionAdmin",
    "status_badge",
    "status_key",
]
