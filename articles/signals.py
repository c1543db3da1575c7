"""Signal handlers of the articles app."""

import importlib

from django.apps import apps as global_apps


def ensure_roles(sender, apps=None, **kwargs):
    """Keep the Writers and Editors groups in place after every migrate and flush.

    Migration 0002 creates them; a database flush (TransactionTestCase, `manage.py flush`) empties
    auth tables but then sends post_migrate, so recreating them here keeps the roles a fact of the schema.
    """
    apps = apps or global_apps  # a flush sends no migration state
    if not apps.is_installed("articles"):
        return
    roles = importlib.import_module("articles.migrations.0002_roles")
    try:
        roles.assign_roles(apps)
    except (LookupError, RuntimeError):
        pass  # migrated back before the permissions exist: migration 0002 will create the roles
