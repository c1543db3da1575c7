"""Accent- and case-insensitive "contains", for admin searches at a million rows.

`field__unaccent_icontains=term` is `UPPER(reex_unaccent(field)) LIKE UPPER(reex_unaccent('%term%'))`,
so "nunoa", "NUÑOA" and "Ñuñoa" all find "Ñuñoa", and "odegard" finds "Ødegård".
`reex_unaccent` is an IMMUTABLE wrapper around the `unaccent` extension (created by
articles/migrations/0007_search_unaccent.py): PostgreSQL only indexes immutable expressions,
and the trigram GIN indexes on `UPPER(reex_unaccent(column)) gin_trgm_ops` are what keep a
"contains" search off a sequential scan. Use it in `search_fields`:
`search_fields = ["title__unaccent_icontains"]` (Django's admin accepts a registered lookup).
"""

from django.db import models
from django.db.models import Lookup

LOOKUP_NAME = "unaccent_icontains"


class UnaccentIContains(Lookup):
    lookup_name = LOOKUP_NAME
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        # LIKE's own wildcards in the term are matched literally, as icontains does.
        return "%s", [f"%{connection.ops.prep_for_like_query(str(value))}%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # The left side must read exactly like the index expression, or the index is not used.
        return f"UPPER(reex_unaccent(({lhs})::text)) LIKE UPPER(reex_unaccent({rhs}))", [*lhs_params, *rhs_params]


def register() -> None:
    """Make `__unaccent_icontains` available on every text field (CharField covers EmailField, SlugField)."""
    models.CharField.register_lookup(UnaccentIContains)
    models.TextField.register_lookup(UnaccentIContains)
