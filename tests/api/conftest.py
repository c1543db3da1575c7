import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from articles.models import Article

SEED = "russias-rare-earths-crossroads"


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """load_demo once per module (it renders hero images, which is slow); emptied again afterwards."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(DEBUG=True, MEDIA_ROOT=media):
        call_command("load_demo", stdout=io.StringIO())
        yield media
        # Leave the database as empty as the next module expects it (flush re-creates the roles).
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(_demo_loaded, db, settings):
    """The demo newsroom: the Russia brief, other briefs, one scheduled and one draft article."""
    settings.MEDIA_ROOT = _demo_loaded
    return Article.objects.get(slug=SEED)
