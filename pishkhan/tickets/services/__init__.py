"""Every write to tickets. One transaction each; permission and tenant checks here; side
effects (notifications) only after commit. Import from this package, not its modules."""

from pishkhan.tickets.services._common import BODY_MAX, SUBJECT_MAX, UNSET
from pishkhan.tickets.services.changes import (
    BILLABLE_MINUTES_MAX,
    ticket_close_with_reason,
    ticket_mark_not_a_fault,
    ticket_mark_out_of_scope,
    ticket_mark_restored,
    ticket_merge,
    ticket_unmerge,
    ticket_update,
    time_entry_add,
)
from pishkhan.tickets.services.conversation import (
    customer_message_receive,
    ticket_add_note,
    ticket_reply,
)
from pishkhan.tickets.services.intake import (
    ticket_submit,
    ticket_submit_for_contact,
)
from pishkhan.tickets.services.setup import (
    canned_reply_create,
    canned_reply_delete,
    department_create,
    department_update,
)

__all__ = [
    "customer_message_receive",
    "time_entry_add",
    "ticket_unmerge",
    "ticket_merge",
    "ticket_mark_out_of_scope",
    "ticket_close_with_reason",
    "BILLABLE_MINUTES_MAX",
    "BODY_MAX",
    "SUBJECT_MAX",
    "UNSET",
    "canned_reply_create",
    "canned_reply_delete",
    "department_create",
    "department_update",
    "ticket_add_note",
    "ticket_mark_not_a_fault",
    "ticket_mark_restored",
    "ticket_reply",
    "ticket_submit",
    "ticket_submit_for_contact",
    "ticket_update",
]
