"""Rebuild the "Did you mean" vocabulary from the articles published now (safe to run any time)."""

from django.core.management.base import BaseCommand

from articles.search import search_vocabulary_rebuild


class Command(BaseCommand):
    help = "Rebuild the search suggestions' vocabulary from published articles (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        words = search_vocabulary_rebuild()
        self.stdout.write(f"Search vocabulary: {words:,} words from published articles.")
