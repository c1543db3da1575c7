"""Give existing sources a type, move publishers out of `container`, and mark organisation authors.

Before this, `container` held "the journal, or the publisher of a report", and an author line without a
comma was an organisation. Reversible: backwards puts the publisher back into an empty container and
removes the "org: " marks (the type columns themselves are dropped by reversing 0004).
"""

from django.db import migrations

KIND_OF_EVIDENCE = {"peer_reviewed": "journal_article", "preprint": "preprint", "report": "report", "dataset": "dataset"}
ORG = "org: "


def _kind(source) -> str:
    if source.evidence in KIND_OF_EVIDENCE:
        return KIND_OF_EVIDENCE[source.evidence]
    text = f"{source.title} {source.container}".lower()
    if any(word in text for word in ("regulation", "directive", "official journal", " act ")):
        return "legislation"
    return "web_page" if source.url and not source.doi else "report"


def forwards(apps, schema_editor):
    Source = apps.get_model("articles", "Source")
    for source in Source.objects.all().iterator():
        source.kind = _kind(source)
        # A report's "container" was its publishing agency; a law's stays its official journal.
        if source.kind == "report" and source.container:
            source.institution, source.container = source.container, ""
        elif source.kind in ("dataset", "web_page") and source.container:
            source.publisher, source.container = source.container, ""
        lines = [line.strip() for line in source.authors.splitlines() if line.strip()]
        source.authors = "\n".join(line if "," in line or line.startswith(ORG) else ORG + line for line in lines)
        source.save(update_fields=["kind", "institution", "publisher", "container", "authors"])


def backwards(apps, schema_editor):
    Source = apps.get_model("articles", "Source")
    for source in Source.objects.all().iterator():
        if not source.container:
            source.container = source.institution or source.publisher
        lines = source.authors.splitlines()
        source.authors = "\n".join(line[len(ORG) :] if line.startswith(ORG) else line for line in lines)
        source.save(update_fields=["container", "authors"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_source_kind")]

    operations = [migrations.RunPython(forwards, backwards)]
