"""Isolation cases of the portal's rule pages (merged into tests/web/test_isolation.py)."""

from pishkhan.accounts.ownership import service_register
from pishkhan.core import clock
from pishkhan.policies.models import Violation, ViolationKind
from pishkhan.policies.services import fine_charge

# name -> kwargs naming keys of the objects below
ROUTES: dict = {
    "portal_services": {},
    "portal_service_remove": {"pk": "portal_service"},
    "portal_fines": {},
    "portal_fine": {"pk": "portal_fine"},
}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = ("portal_service_remove",)


def beta_objects(beta) -> dict:
    """An unverified service (the kind a customer may remove) and a fine of beta's customer.
    The fine's violation names no ticket, so the staff pages' own objects stay the only ones
    on beta's tickets."""
    service = service_register(
        tenant=beta.tenant,
        customer=beta.customer,
        actor=beta.customer_user,
        kind="domain",
        identifier="beta-portal.ir",
    )
    violation = Violation.objects.create(
        tenant=beta.tenant,
        customer=beta.customer,
        kind=ViolationKind.DUPLICATE,
        created_at=clock.now(),
    )
    fine = fine_charge(tenant=beta.tenant, violation=violation, actor=beta.owner)
    return {"portal_service": service.pk, "portal_fine": fine.pk}
