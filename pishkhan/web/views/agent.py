"""The agent workspace: the queue, a ticket with its whole thread, replies, notes and changes.
The ticket page also shows what the support rules know about the ticket (service, follow-ups,
duplicates, merges, violations, time); their actions live in `rules`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts.selectors import service_list
from pishkhan.policies.selectors import violation_list
from pishkhan.search.desk import ticket_number
from pishkhan.sla.selectors import (
    billable_list_for_ticket,
    clock_list_for_ticket,
    queue_clocks,
)
from pishkhan.tenancy.selectors import member_list
from pishkhan.tickets import selectors
from pishkhan.tickets.fields import field_label
from pishkhan.tickets.models import (
    MessageKind,
    Priority,
    Status,
)
from pishkhan.tickets.selectors import (
    related_tickets,
    thread_with_merged,
    ticket_get_for_page,
    time_entry_list,
)
from pishkhan.tickets.services import (
    ticket_add_note,
    ticket_reply,
    ticket_submit_for_contact,
    ticket_update,
)
from pishkhan.trust.selectors import audit_list_for_object
from pishkhan.web.forms import (
    AgentNewTicketForm,
    CloseWithReasonForm,
    InstallationForm,
    MergeForm,
    NotFaultForm,
    OutOfScopeForm,
    ScopedReplyForm,
    TicketPropertiesReasonForm,
    TimeEntryForm,
    apply_errors,
)
from pishkhan.web.templatetags.pishkhan import digits
from pishkhan.web.views.access import staff_required
from pishkhan.web.views.common import chosen_department
from pishkhan.web.views.queue_rows import queue_rows
from pishkhan.web.views.rules._common import field_label_map
from pishkhan.web.views.rules.violations import violation_rows

PAGE_SIZES = (25, 50, 100)
OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.WAITING]


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filters_from(request) -> tuple[selectors.TicketFilters, dict]:
    """Queue filters from the query string; unknown values are ignored, never an error page."""
    get = request.GET
    statuses = [s for s in get.getlist("status") if s in Status.values]
    if "status" not in get:
        statuses = list(OPEN_STATUSES)
    priorities = [p for p in get.getlist("priority") if p in Priority.values]
    assignee_raw = get.get("assignee", "")
    filters = selectors.TicketFilters(
        status=statuses,
        priority=priorities,
        department=_int_or_none(get.get("department")),
        assignee=request.user.pk if assignee_raw == "me" else _int_or_none(assignee_raw),
        unassigned=assignee_raw == "none",
        tag=get.get("tag", "").strip()[:50],
        sort=get.get("sort") if get.get("sort") in selectors.SORTS else "updated",
    )
    state = {
        "status": statuses,
        "priority": priorities,
        "department": filters.department,
        "assignee": assignee_raw,
        "tag": filters.tag,
        "sort": filters.sort,
        "q": get.get("q", "").strip()[:200],
    }
    return filters, state


def _count_label(count) -> str:
    """A bounded count as the queue shows it: the number, or "more than" the limit."""
    if count is None:
        return digits(0)
    if count.exact:
        return digits(count.value)
    return _("more than %(n)s") % {"n": digits(count.value)}


@staff_required
def queue(request):
    filters, state = _filters_from(request)
    tenant = request.tenant
    more_matches = bool(state["q"]) and selectors.filters_narrow_to_search(
        tenant=tenant, filters=filters, query=state["q"]
    )
    page_size = _int_or_none(request.GET.get("per_page"))
    page_size = page_size if page_size in PAGE_SIZES else PAGE_SIZES[0]
    cursor = request.GET.get("after", "")
    try:
        page = selectors.ticket_page(tenant=tenant, filters=filters, size=page_size, cursor=cursor)
    except selectors.InvalidCursor:
        # A link from another sort, or mangled: the first page, never an error page.
        cursor = ""
        page = selectors.ticket_page(tenant=tenant, filters=filters, size=page_size)
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("page", None)
    departments = list(selectors.department_list(tenant=tenant, active_only=False))
    members = list(member_list(tenant=tenant, writers_only=True))
    counts = selectors.queue_counts(
        tenant=tenant,
        filters=filters,
        department_ids=[d.pk for d in departments],
        assignee_ids=sorted({m.user_id for m in members} | {request.user.pk}),
    )
    labels = {
        group: {key: _count_label(count) for key, count in counts[group].items()}
        for group in ("status", "department", "assignee")
    }
    clocks = queue_clocks(tenant=tenant, ticket_ids=[t.pk for t in page.tickets])
    # A number typed in the search box is most often a ticket's: offered first, whatever the
    # filters, while the list below holds the tickets that mention it (an IP address, say).
    number, _hash = ticket_number(state["q"]) if state["q"] and not cursor else (None, False)
    numbered = selectors.ticket_get(tenant=tenant, number=number) if number else None
    return render(
        request,
        "web/agent/queue.html",
        {
            "numbered": numbered,
            "rows": queue_rows(page.tickets, clocks),
            "next_cursor": page.next_cursor,
            "is_first_page": not cursor,
            "more_matches": more_matches,
            "state": state,
            "query": query.urlencode(),
            "page_size": page_size,
            "page_sizes": PAGE_SIZES,
            "counts": counts,
            "count_labels": labels,
            "my_count": labels["assignee"].get(request.user.pk),
            "statuses": Status.choices,
            "priorities": Priority.choices,
            "departments": departments,
            "members": members,
            "sorts": [
                ("updated", _("Recently updated")),
                ("-updated", _("Least recently updated")),
                ("created", _("Newest")),
                ("-created", _("Oldest")),
                ("priority", _("Priority")),
                ("due", _("Nearest due")),
                ("number", _("Number")),
            ],
        },
    )


def _ticket_or_404(request, number: int):
    ticket = selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise Http404
    return ticket


# What a closed ticket's record keeps (the service refuses changing them): shown, not editable.
CLOSED_FROZEN = ("status", "priority", "severity", "assignee", "department")


def _properties_form(request, ticket, data=None):
    form = TicketPropertiesReasonForm(
        data,
        initial={
            "status": ticket.status,
            "priority": ticket.priority,
            "severity": ticket.severity,
            "assignee": ticket.assignee_id,
            "department": ticket.department_id,
            "tags": ", ".join(selectors.ticket_tags(ticket=ticket)),
        },
        members=member_list(tenant=request.tenant, writers_only=True),
        departments=selectors.department_list(tenant=request.tenant, active_only=False),
        language=request.LANGUAGE_CODE,
        # The reply form beside it has a status too: ids of its own, the same field names.
        auto_id="id_props_%s",
    )
    if ticket.is_closed:
        for name in CLOSED_FROZEN:
            form.fields[name].disabled = True
        del form.fields["reason"]  # for lowering a priority, which no longer changes
        assignee = form.fields["assignee"]
        if ticket.assignee_id and ticket.assignee_id not in {pk for pk, _n in assignee.choices}:
            # Handled by someone who has since left the team: the record still names them.
            assignee.choices = [
                *assignee.choices,
                (ticket.assignee_id, ticket.assignee.display_name),
            ]
    return form


# Selector-like reads of the ticket page. They belong with tickets.selectors; they are here
# while that module is another team's, and take the tenant first like every selector.


def _rule_forms(request, ticket, services) -> dict:
    """The rule actions' forms, empty; a failed action passes its own bound form instead."""
    merge_initial = {}
    if ticket.duplicate_of_id and not ticket.duplicate_of.is_closed:
        merge_initial["into"] = ticket.duplicate_of.number
    return {
        "merge_form": MergeForm(initial=merge_initial, auto_id="id_merge_%s"),
        "close_form": CloseWithReasonForm(auto_id="id_close_%s"),
        "scope_form": OutOfScopeForm(auto_id="id_scope_%s"),
        "time_form": TimeEntryForm(auto_id="id_time_%s"),
        "install_form": InstallationForm(services=services, auto_id="id_install_%s"),
    }


def render_ticket(
    request, ticket, *, reply_form=None, properties_form=None, status=200, **rule_forms
):
    ticket = ticket_get_for_page(tenant=request.tenant, number=ticket.number)
    language = request.LANGUAGE_CODE
    services = list(service_list(tenant=request.tenant, customer=ticket.customer))
    merged, follow_ups = related_tickets(tenant=request.tenant, ticket=ticket)
    labels = field_label_map(request.tenant, language)
    violations = violation_rows(violation_list(tenant=request.tenant, ticket=ticket), labels)
    entries = list(time_entry_list(tenant=request.tenant, ticket=ticket))
    field_names = {d["key"]: field_label(d, language) for d in ticket.department.fields}
    return render(
        request,
        "web/agent/ticket_detail.html",
        {
            "ticket": ticket,
            "tags": selectors.ticket_tags(ticket=ticket),
            "thread": thread_with_merged(tenant=request.tenant, ticket=ticket),
            "reply_form": reply_form or ScopedReplyForm(),
            "properties_form": properties_form or _properties_form(request, ticket),
            "canned": selectors.canned_reply_list(tenant=request.tenant),
            "history": audit_list_for_object(tenant=request.tenant, obj=ticket, limit=30),
            "other_tickets": selectors.ticket_list_for_customer(
                tenant=request.tenant, customer=ticket.customer
            ).exclude(pk=ticket.pk)[:5],
            "sla_clocks": clock_list_for_ticket(tenant=request.tenant, ticket_id=ticket.pk),
            "billable": billable_list_for_ticket(tenant=request.tenant, ticket_id=ticket.pk),
            "not_fault_form": NotFaultForm(),
            "merged_tickets": merged,
            "follow_ups": follow_ups,
            "missing_fields": [field_names.get(key, key) for key in ticket.missing_fields or []],
            "violations": violations,
            "time_entries": entries,
            "minutes_total": sum(e.minutes for e in entries),
            "minutes_billable": sum(e.minutes for e in entries if e.billable),
            "services": services,
            **{**_rule_forms(request, ticket, services), **rule_forms},
        },
        status=status,
    )


@staff_required
def ticket_new(request):
    """A ticket filed by staff for a customer (phone, email, walk-in): the same intake path."""
    departments = list(selectors.department_list(tenant=request.tenant))
    department = chosen_department(request, departments)
    if department is None and departments:
        department = departments[0]
    form = None
    if department is not None:
        form = AgentNewTicketForm(
            request.POST or None, department=department, language=request.LANGUAGE_CODE
        )
        if request.method == "POST" and form.is_valid():
            try:
                ticket = ticket_submit_for_contact(
                    tenant=request.tenant,
                    contact=form.contact(),
                    department=department,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    fields=form.field_values(),
                    priority=form.cleaned_data["priority"],
                    channel=form.cleaned_data["channel"],
                    files=request.FILES.getlist("attachments"),
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_errors(
                    form,
                    exc,
                    {
                        "customer.name": "customer_name",
                        "customer.email": "customer_email",
                        "customer.phone": "customer_phone",
                    },
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Ticket registered for the customer."))
                return redirect("web:agent_ticket", number=ticket.number)
    return render(
        request,
        "web/agent/ticket_new.html",
        {"departments": departments, "department": department, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@staff_required
def ticket_detail(request, number: int):
    return render_ticket(request, _ticket_or_404(request, number))


@staff_required
@require_POST
def ticket_message(request, number: int):
    ticket = _ticket_or_404(request, number)
    form = ScopedReplyForm(request.POST)
    if form.is_valid():
        files = request.FILES.getlist("attachments")
        try:
            if form.cleaned_data["kind"] == MessageKind.NOTE:
                ticket_add_note(
                    tenant=request.tenant,
                    ticket=ticket,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    files=files,
                )
                messages.success(request, _("Note added."))
            else:
                ticket_reply(
                    tenant=request.tenant,
                    ticket=ticket,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    files=files,
                    status=form.cleaned_data["status"] or None,
                    minutes=form.cleaned_data["minutes"] or None,
                )
                messages.success(request, _("Reply sent to the customer."))
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("web:agent_ticket", number=ticket.number)
    return render_ticket(request, ticket, reply_form=form, status=400)


@staff_required
@require_POST
def ticket_fields(request, number: int):
    """Staff fill in (or correct) the department's fields: what a caller said on the phone,
    or what a mailed request lacked (T-6)."""
    ticket = _ticket_or_404(request, number)
    values = {d["key"]: request.POST.get(f"field_{d['key']}", "") for d in ticket.department.fields}
    try:
        ticket_update(tenant=request.tenant, ticket=ticket, actor=request.user, fields=values)
    except ValidationError as exc:
        errors = {
            key.removeprefix("fields."): messages_ for key, messages_ in exc.message_dict.items()
        }
        return render_ticket(request, ticket, status=400, field_errors=errors, field_values=values)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Ticket updated."))
    return redirect("web:agent_ticket", number=ticket.number)


@staff_required
@require_POST
def ticket_properties(request, number: int):
    ticket = _ticket_or_404(request, number)
    form = _properties_form(request, ticket, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        assignee = None
        if data["assignee"]:
            member = next(
                (m for m in member_list(tenant=request.tenant) if m.user_id == data["assignee"]),
                None,
            )
            assignee = member.user if member else None
        department = selectors.department_get(
            tenant=request.tenant, department_id=data["department"]
        )
        changes = {
            "status": data["status"],
            "priority": data["priority"],
            "severity": data["severity"],
            "assignee": assignee,
            "department": department,
            "reason": data.get("reason", ""),
        }
        if ticket.is_closed:
            # Its record is shown, not sent: an assignee who has since left the team is no
            # change the agent asked for.
            changes = {}
        try:
            ticket_update(
                tenant=request.tenant,
                ticket=ticket,
                actor=request.user,
                tags=form.tag_list(),
                **changes,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Ticket updated."))
            return redirect("web:agent_ticket", number=ticket.number)
    return render_ticket(request, ticket, properties_form=form, status=400)
