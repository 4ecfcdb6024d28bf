"""What each row of the agent queue shows, made once per page in plain Python.

The queue is the page agents open most. Rendered from model instances, every cell cost the
template engine an attribute look-up that first fails as a key, a label dict rebuilt per
`get_*_display`, and a filter call per value; a row of plain values renders in a fraction of
that. The labels and formats are the same ones the template filters give elsewhere.

Rows are dicts, not objects: the template engine looks a name up as a key first, and on an
object that first try fails with an exception before the attribute is read."""

from django.urls import reverse
from django.utils import timezone, translation

from pishkhan.sla.selectors import ClockView
from pishkhan.tickets.models import Priority, Status, Ticket
from pishkhan.web.templatetags.pishkhan import digits, jdate
from pishkhan.web.templatetags.sla_display import sla_kind, sla_left, state_labels


def _iso(value) -> str:
    """As the template's `date:'c'` writes it: ISO 8601 in the site's time zone."""
    return timezone.localtime(value).isoformat()


def _sla_cell(view: ClockView | None, states: dict[str, str]) -> dict | None:
    if view is None:
        return None
    left = view.left_seconds
    return {
        "state": view.state,
        "state_label": states.get(view.state, view.state),
        "kind_label": sla_kind(view.kind),
        "left_text": sla_left(left),
        "overdue": left is not None and left < 0,
        "due_iso": _iso(view.due_at) if view.due_at else "",
        "due_text": jdate(view.due_at) if view.due_at else "",
    }


def queue_rows(tickets: list[Ticket], clocks: dict[int, ClockView]) -> list[dict]:
    """One row per ticket, in the page's order; `clocks` as `sla.selectors.queue_clocks` gives
    them (the clock each row shows).
    The ticket's department, customer, assignee and tags must be loaded with it.

    A row: number, number_text, url, subject, tags (names), customer, department, status,
    status_label, priority, priority_label, assignee (a name, or ""), sla (the nearest clock's
    state, state_label, kind_label, left_text, overdue, due_iso, due_text; or None),
    updated_iso, updated_text."""
    language = (translation.get_language() or "fa")[:2]
    statuses = {value: str(name) for value, name in Status.choices}
    priorities = {value: str(name) for value, name in Priority.choices}
    states = state_labels()
    # The ticket link differs only by its number: reversed once, filled in per row.
    url = reverse("web:agent_ticket", args=[0]).removesuffix("0/") + "{}/"
    rows = []
    for t in tickets:
        rows.append(
            {
                "number": t.number,
                "number_text": digits(t.number),
                "url": url.format(t.number),
                "subject": t.subject,
                "tags": [tt.tag.name for tt in t.ticket_tags.all()],
                "customer": t.customer.name if t.customer_id else "",
                "department": t.department.label(language) if t.department_id else "",
                "status": t.status,
                "status_label": statuses.get(t.status, t.status),
                "priority": t.priority,
                "priority_label": priorities.get(t.priority, t.priority),
                "assignee": t.assignee.display_name if t.assignee_id else "",
                "sla": _sla_cell(clocks.get(t.pk), states),
                "updated_iso": _iso(t.updated_at),
                "updated_text": jdate(t.updated_at),
            }
        )
    return rows
