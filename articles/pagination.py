"""Pagination of the reader lists: article cards, page links around the current page, counted only as far
as the links need, and a bad or out-of-range page number as a 404."""

from django.core.paginator import EmptyPage, InvalidPage, Paginator
from django.http import Http404
from django.utils.functional import cached_property

from articles.queries import attach_all, with_bylines

PAGE_SIZE = 10


def _cards(articles):
    """Articles as list cards show them: section, authors, tags, comment count, newest first."""
    return with_bylines(articles.with_comment_count()).order_by("-published_at", "-id")


# Page links shown either side of the current page.
PAGE_WINDOW = 2
# Past this many rows a page number is out of range without asking the database.
MAX_LISTED_ROWS = 2**31


class _ListPaginator(Paginator):
    """Counts the bare filtered set: the card annotations cannot change how many articles there are,
    and counting through them would make PostgreSQL build every card just to count it.

    A list page counts only as far as the page links it shows (`window=True`): counting a whole
    archive of 100k articles took over 100 ms, and a reader on page 3 needs to know that pages 4 and 5
    exist, not how many thousand follow. So the count stops a few pages past the current one, and the
    cost follows the page number, not the size of the archive. `capped` says the count stopped early.
    """

    def __init__(self, object_list, per_page, *, count_from, window=False):
        super().__init__(object_list, per_page)
        self.count_from = count_from
        self.window = window
        self.count_limit = None

    def page(self, number):
        if self.window:
            number = self.validate_number_format(number)
            self.count_limit = (number + PAGE_WINDOW + 1) * self.per_page + 1
        return super().page(number)

    def validate_number_format(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise InvalidPage("That page number is not an integer") from exc
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number * self.per_page > MAX_LISTED_ROWS:
            # No archive holds this many; and the count's LIMIT must stay within PostgreSQL's bigint.
            raise EmptyPage("That page contains no results")
        return number

    @cached_property
    def count(self):
        if self.count_limit is None:
            return self.count_from.count()
        return self.count_from.order_by()[: self.count_limit].count()

    @property
    def capped(self) -> bool:
        return self.count_limit is not None and self.count >= self.count_limit


def _page_links(page) -> list[int | None]:
    """Page numbers to link, None for a gap: the first, the last (when known), and the window around this one."""
    paginator, number = page.paginator, page.number
    last = paginator.num_pages
    shown = {1, *range(max(1, number - PAGE_WINDOW), min(last, number + PAGE_WINDOW) + 1)}
    if not paginator.capped:
        shown.add(last)
    links, previous = [], 0
    for each in sorted(shown):
        if each - previous > 1:
            links.append(None)
        links.append(each)
        previous = each
    if paginator.capped:
        links.append(None)  # more pages follow than were counted
    return links


def _paginate(request, articles, cards=None, per_page=PAGE_SIZE, *, windowed=None):
    """A page of `cards` (default: `articles` as cards); a bad or out-of-range page number is a 404, not a 500.

    `articles` is what is counted. Lists count only as far as their page links (see _ListPaginator);
    ranked search results (`cards` given) say how many matched, so they are counted in full unless
    `windowed` says otherwise.
    """
    windowed = cards is None if windowed is None else windowed
    paginator = _ListPaginator(
        cards if cards is not None else _cards(articles), per_page, count_from=articles, window=windowed
    )
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, InvalidPage) as exc:
        raise Http404("No such page") from exc
    page.object_list = attach_all(page.object_list)
    page.links = _page_links(page)
    return page
