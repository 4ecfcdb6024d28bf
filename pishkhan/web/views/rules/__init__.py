"""Staff pages of the support rules: settings, violations report, fines, service verification,
and the rule actions on a ticket (T-4 … T-12).

Every member of the staff may read these pages, the finance unit included (they are staff but
not writers). Owners and admins change the settings; the finance unit, owners and admins charge
and settle fines; members who may write verify services and act on tickets. The services decide
who may do what: a refusal comes back as a message, and nothing changes."""

from django.urls import path

from pishkhan.web.views.rules.services import (
    service_register,
    service_remove,
    service_unverify,
    service_verify,
    services_page,
)
from pishkhan.web.views.rules.settings import department_rules, settings_page
from pishkhan.web.views.rules.ticket_actions import (
    ticket_close,
    ticket_install,
    ticket_merge_into,
    ticket_out_of_scope,
    ticket_time,
    ticket_unmerge_view,
)
from pishkhan.web.views.rules.violations import (
    fine_paid,
    fine_waived,
    fines_page,
    violation_fine,
    violations_report,
)

urls: list = [
    path("agent/rules/", settings_page, name="rules_settings"),
    path(
        "agent/rules/departments/<int:pk>/",
        department_rules,
        name="rules_department",
    ),
    path("agent/rules/violations/", violations_report, name="rules_violations"),
    path(
        "agent/rules/violations/<int:pk>/fine/",
        violation_fine,
        name="rules_fine_charge",
    ),
    path("agent/rules/fines/", fines_page, name="rules_fines"),
    path("agent/rules/fines/<int:pk>/paid/", fine_paid, name="rules_fine_paid"),
    path("agent/rules/fines/<int:pk>/waive/", fine_waived, name="rules_fine_waive"),
    path("agent/rules/services/", services_page, name="rules_services"),
    path("agent/rules/services/new/", service_register, name="rules_service_register"),
    path(
        "agent/rules/services/<int:pk>/verify/",
        service_verify,
        name="rules_service_verify",
    ),
    path(
        "agent/rules/services/<int:pk>/unverify/",
        service_unverify,
        name="rules_service_unverify",
    ),
    path(
        "agent/rules/services/<int:pk>/remove/",
        service_remove,
        name="rules_service_remove",
    ),
    path("agent/tickets/<int:number>/merge/", ticket_merge_into, name="rules_ticket_merge"),
    path("agent/tickets/<int:number>/unmerge/", ticket_unmerge_view, name="rules_ticket_unmerge"),
    path("agent/tickets/<int:number>/close/", ticket_close, name="rules_ticket_close"),
    path(
        "agent/tickets/<int:number>/out-of-scope/",
        ticket_out_of_scope,
        name="rules_ticket_scope",
    ),
    path("agent/tickets/<int:number>/time/", ticket_time, name="rules_ticket_time"),
    path("agent/tickets/<int:number>/install/", ticket_install, name="rules_ticket_install"),
]
