"""The changelist's status filter follows the model's status choices (a new status shows up by itself)."""

from articles.admin import SCHEDULED, StatusFilter
from articles.models import Article


def test_status_filter_offers_every_model_status_and_scheduled_before_published():
    lookups = StatusFilter.lookups(StatusFilter, request=None, model_admin=None)
    choices = list(Article.Status.choices)
    published = choices.index((Article.Status.PUBLISHED, "Published"))
    assert lookups == [*choices[:published], (SCHEDULED, "Scheduled"), *choices[published:]]
    assert [value for value, _ in lookups] == ["draft", "review", "scheduled", "published", "unpublished"]
