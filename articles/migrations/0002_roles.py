"""The newsroom roles: Writers and Editors, as Django groups with their permissions.

Permissions are normally created after all migrations have run (post_migrate), so on a fresh database
they do not exist yet here; create them first. Running this again only tops the groups up.
"""

from django.db import migrations

ARTICLE_PARTS = ["highlight", "finding", "briefsection", "signal", "limitation", "citation", "articleauthor"]

WRITERS = {
    "articles": (
        ["add_article", "change_article", "view_article"]
        + [f"{action}_{model}" for model in ARTICLE_PARTS for action in ("add", "change", "delete", "view")]
        + ["view_correction", "view_section", "view_author", "add_source", "change_source", "view_source"]
        # A new co-author is created from the byline row ("+"); changing or deleting authors stays with editors.
        + ["add_author"]
        + ["view_transition"]
    ),
    "taggit": ["add_tag", "view_tag"],
}

EDITOR_MODELS = ARTICLE_PARTS + [
    "article",
    "correction",
    "section",
    "author",
    "source",
    "slugredirect",
]

EDITORS = {
    "articles": (
        [f"{action}_{model}" for model in EDITOR_MODELS for action in ("add", "change", "delete", "view")]
        + ["view_transition", "publish_article", "edit_any_article"]
    ),
    "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
    "comments": ["view_comment", "change_comment", "delete_comment"],
}


def _ensure_permissions(apps):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    assign_roles(apps)


def assign_roles(apps):
    """Create the groups and grant their permissions; also run after every migrate (articles.signals)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Writers", WRITERS), ("Editors", EDITORS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            perms = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
            missing = set(codenames) - {p.codename for p in perms}
            if missing:
                raise RuntimeError(f"Permissions not found for {name}: {sorted(missing)}")
            group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writers", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
