from django.db.models import Q
from ninja.security import HttpBearer

from pishkhan.core import clock
from pishkhan.tenancy.models import ApiToken, Membership, hash_token
from pishkhan.tenancy.permissions import remember_membership


class TokenAuth(HttpBearer):
    """A token acts for its user inside its own tenant only. A token of another tenant is
    simply not a token here (401), so nothing about that tenant is revealed."""

    def authenticate(self, request, token: str):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), tenant=tenant, revoked_at__isnull=True)
            .filter(Q(user__is_active=True))
            .first()
        )
        if api_token is None:
            return None
        membership = (
            Membership.objects.for_tenant(tenant)
            .filter(user=api_token.user, is_active=True)
            .first()
        )
        if membership is None:
            return None
        now = clock.now()
        # Touch at most once a minute: a busy integration should not write on every read.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.api_user = api_token.user
        remember_membership(tenant=tenant, user=api_token.user, membership=membership)
        request.membership = membership
        return api_token
