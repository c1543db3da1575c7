"""Admin site set-up owned by the security work: the sign-in form with a two-factor code."""

from django.contrib import admin

from reex.forms import AdminLoginForm

# Django's admin LoginView uses these; the template always shows the code field
# so the page is the same whichever username is typed.
admin.site.login_form = AdminLoginForm
admin.site.login_template = "reex/admin_login.html"
