import pytest
from django.core.management import call_command

from articles.models import Article

SEED = "russias-rare-earths-crossroads"


@pytest.fixture
def demo(settings, tmp_path):
    """The demo newsroom (load_demo): the Russia brief, other briefs, one scheduled and one draft article."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Article.objects.get(slug=SEED)
