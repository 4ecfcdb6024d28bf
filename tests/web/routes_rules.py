"""Isolation cases of the staff rule pages (merged into tests/web/test_isolation.py)."""

from pishkhan.accounts.ownership import service_register
from pishkhan.policies.models import Violation
from pishkhan.policies.services import fine_charge
from pishkhan.tickets.services import ticket_update

# name -> kwargs naming keys of the objects below ("number" and "department" are beta's ticket
# and department from test_isolation's own objects).
ROUTES: dict = {
    "rules_settings": {},
    "rules_department": {"pk": "department"},
    "rules_violations": {},
    "rules_fine_charge": {"pk": "rules_violation"},
    "rules_fines": {},
    "rules_fine_paid": {"pk": "rules_fine"},
    "rules_fine_waive": {"pk": "rules_fine"},
    "rules_services": {},
    "rules_service_register": {},
    "rules_service_verify": {"pk": "rules_service"},
    "rules_service_unverify": {"pk": "rules_service"},
    "rules_service_remove": {"pk": "rules_service"},
    "rules_ticket_merge": {"number": "number"},
    "rules_ticket_unmerge": {"number": "number"},
    "rules_ticket_close": {"number": "number"},
    "rules_ticket_scope": {"number": "number"},
    "rules_ticket_time": {"number": "number"},
    "rules_ticket_install": {"number": "number"},
}
# Of those, the ones that only take a POST.
POST_ROUTES: tuple = (
    "rules_department",
    "rules_fine_charge",
    "rules_fine_paid",
    "rules_fine_waive",
    "rules_service_register",
    "rules_service_verify",
    "rules_service_unverify",
    "rules_service_remove",
    "rules_ticket_merge",
    "rules_ticket_unmerge",
    "rules_ticket_close",
    "rules_ticket_scope",
    "rules_ticket_time",
    "rules_ticket_install",
)


def beta_objects(beta) -> dict:
    # Beta's agent lowers a priority set too high (a violation), finance fines it, and the
    # customer's domain is registered: one object of each kind the pages act on.
    ticket_update(tenant=beta.tenant, ticket=beta.ticket, actor=beta.agent, priority="urgent")
    ticket_update(
        tenant=beta.tenant,
        ticket=beta.ticket,
        actor=beta.agent,
        priority="normal",
        reason="قطعی نبود؛ فقط کندی",
    )
    violation = Violation.objects.for_tenant(beta.tenant).get(ticket=beta.ticket)
    fine = fine_charge(tenant=beta.tenant, violation=violation, actor=beta.owner)
    service = service_register(
        tenant=beta.tenant,
        customer=beta.customer,
        actor=beta.agent,
        kind="domain",
        identifier="beta-example.ir",
    )
    return {"rules_violation": violation.pk, "rules_fine": fine.pk, "rules_service": service.pk}
