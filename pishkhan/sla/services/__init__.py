"""Every write of service levels (DESIGN.md: services own writes and transactions), in three
modules: `defaults` (the S-2 policy and default calendars, which policy a ticket follows),
`configuration` (calendars, holiday overrides, policies) and `clocks` (clocks on tickets and
their deadline checks). Import from here."""

from pishkhan.sla.services.clocks import (
    clock_deadline_check,
    clocks_replan,
    clocks_replan_official,
    clocks_sweep,
    on_ticket_event,
    policy_clocks_retarget,
    ticket_clocks_retarget,
)
from pishkhan.sla.services.configuration import (
    calendar_create,
    calendar_day_delete,
    calendar_day_set,
    calendar_delete,
    calendar_update,
    department_policy_set,
    holiday_override_delete,
    holiday_override_set,
    policy_create,
    policy_delete,
    policy_update,
)
from pishkhan.sla.services.defaults import (
    DEFAULT_TARGETS,
    policy_for_department,
    sla_defaults_ensure,
    target_for,
)

__all__ = [
    "DEFAULT_TARGETS",
    "calendar_create",
    "calendar_day_delete",
    "calendar_day_set",
    "calendar_delete",
    "calendar_update",
    "clock_deadline_check",
    "clocks_replan",
    "clocks_replan_official",
    "clocks_sweep",
    "department_policy_set",
    "holiday_override_delete",
    "holiday_override_set",
    "on_ticket_event",
    "policy_clocks_retarget",
    "policy_create",
    "policy_delete",
    "policy_for_department",
    "policy_update",
    "sla_defaults_ensure",
    "target_for",
    "ticket_clocks_retarget",
]
