"""Email + password login, resolved within the tenant of the request's host."""

from django.contrib.auth.backends import ModelBackend

from pishkhan.accounts.models import User
from pishkhan.accounts.selectors import user_get_for_login


class TenantEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username
        tenant = getattr(request, "tenant", None)
        if not email or password is None or tenant is None:
            return None
        user = user_get_for_login(tenant=tenant, email=email)
        if user is None:
            # Hash anyway so timing does not tell which addresses exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
