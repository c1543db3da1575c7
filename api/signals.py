"""Signal handlers of the api app."""

EDITOR_PERMISSIONS = ("add_apikey", "change_apikey", "view_apikey")


def grant_editors_api_keys(sender, apps=None, **kwargs):
    """Editors create and revoke Content API keys: top up the Editors group after every migrate and flush.

    The group itself belongs to the articles app (its migration 0002 and post_migrate handler create it);
    this runs after that handler, because the api app comes after articles in INSTALLED_APPS.
    """
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name="Editors").first()
    if group is None:
        return
    group.permissions.add(*Permission.objects.filter(content_type__app_label="api", codename__in=EDITOR_PERMISSIONS))
