from datetime import datetime

from ninja.security import HttpBearer

from pishkhan.core import clock
from pishkhan.tenancy.models import ApiToken
from pishkhan.tenancy.permissions import remember_membership
from pishkhan.tenancy.selectors import api_access_get

# A busy integration should not write on every call: the token's last use is kept to a minute.
LAST_USED_PRECISION_SECONDS = 60
# Token (by its hash, never reused) -> when this process last wrote its last use. The token's
# row is kept between requests (process_cache) and a write of `last_used_at` does not renew
# it, so the row's own value grows old; without this every call after a minute would write.
_written: dict[str, datetime] = {}
WRITTEN_MAX = 10_000


class TokenAuth(HttpBearer):
    """A token acts for its user inside its own tenant only. A token of another tenant is
    simply not a token here (401), so nothing about that tenant is revealed."""

    def authenticate(self, request, token: str):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not token:
            return None
        access = api_access_get(tenant=tenant, raw_token=token)
        if access is None:
            return None
        _touch(access.token)
        request.api_user = access.user
        remember_membership(tenant=tenant, user=access.user, membership=access.membership)
        request.membership = access.membership
        return access.token


def _touch(api_token: ApiToken) -> None:
    now = clock.now()
    last_used = max(
        (when for when in (api_token.last_used_at, _written.get(api_token.token_hash)) if when),
        default=None,
    )
    if last_used is None or (now - last_used).total_seconds() > LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        if len(_written) >= WRITTEN_MAX:
            _written.clear()
        _written[api_token.token_hash] = now
