"""The newsroom dashboard on the admin index (templates/admin/index.html): `{% newsroom_dashboard %}`."""

import json

from django import template

from articles import dashboard
from articles.services import can_edit_any

register = template.Library()


@register.inclusion_tag("admin/articles/_dashboard.html", takes_context=True)
def newsroom_dashboard(context):
    request = context["request"]
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        return {"show": False}
    is_editor = can_edit_any(user)
    return {
        "show": True,
        "request": request,
        "is_editor": is_editor,
        "writer": dashboard.writer_panels(user),
        "editor": dashboard.editor_panels() if is_editor else None,
        # Read by static/js/dashboard.js from a data attribute: no inline script, even a JSON one.
        "charts_json": json.dumps(dashboard.chart_data()) if is_editor else "",
        "perms": context.get("perms"),
    }
