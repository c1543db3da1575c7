import pytest


@pytest.fixture(autouse=True)
def _h6_dev_csrf_field_templates(settings, tmp_path):
    # TEMPORARY (removed once the reader templates use {% csrf_field %}).
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "templates"
    for name in ("newsletter/_signup_form_fields.html", "comments/_comment_form.html"):
        source = root / name
        if source.exists() and "{% csrf_token %}" in source.read_text():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                "{% load reex_tags %}" + source.read_text().replace("{% csrf_token %}", "{% csrf_field %}")
            )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
