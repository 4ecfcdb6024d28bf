"""The rule actions on a ticket: merge, close without an answer, scope, time, installations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts import selectors as account_selectors
from pishkhan.policies.services import (
    module_install_record,
)
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets.services import (
    ticket_close_with_reason,
    ticket_mark_out_of_scope,
    ticket_merge,
    ticket_unmerge,
    time_entry_add,
)
from pishkhan.web.forms import (
    CloseWithReasonForm,
    InstallationForm,
    MergeForm,
    OutOfScopeForm,
    TimeEntryForm,
    apply_errors,
)
from pishkhan.web.templatetags.pishkhan import digits
from pishkhan.web.views.access import staff_required
from pishkhan.web.views.rules._common import (
    _error_messages,
)

# --- rule actions on a ticket ----------------------------------------------------------------


def _ticket_or_404(request, number: int):
    ticket = ticket_selectors.ticket_get(tenant=request.tenant, number=number)
    if ticket is None:
        raise Http404
    return ticket


def _ticket_page(request, ticket, **forms):
    # The ticket page is the agent module's; imported here because it imports these words.
    from pishkhan.web.views.agent import render_ticket

    return render_ticket(request, ticket, status=400, **forms)


def _to_ticket(ticket):
    return redirect(reverse("web:agent_ticket", kwargs={"number": ticket.number}) + "#rules")


@staff_required
@require_POST
def ticket_merge_into(request, number: int):
    ticket = _ticket_or_404(request, number)
    form = MergeForm(request.POST)
    into = None
    if form.is_valid():
        into = ticket_selectors.ticket_get(tenant=request.tenant, number=form.cleaned_data["into"])
        if into is None:
            form.add_error("into", _("There is no ticket with this number."))
    if not form.is_valid():
        return _ticket_page(request, ticket, merge_form=form)
    try:
        ticket_merge(tenant=request.tenant, ticket=ticket, into=into, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _ticket_page(request, ticket, merge_form=form)
    else:
        messages.success(
            request,
            _("Merged into #%(number)s.") % {"number": digits(into.number)},
        )
    return _to_ticket(ticket)


@staff_required
@require_POST
def ticket_unmerge_view(request, number: int):
    ticket = _ticket_or_404(request, number)
    try:
        ticket_unmerge(tenant=request.tenant, ticket=ticket, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Merge undone: the ticket has its own thread again."))
    return _to_ticket(ticket)


@staff_required
@require_POST
def ticket_close(request, number: int):
    ticket = _ticket_or_404(request, number)
    form = CloseWithReasonForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, close_form=form)
    try:
        ticket_close_with_reason(
            tenant=request.tenant,
            ticket=ticket,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc, {"reason": "note"})
        return _ticket_page(request, ticket, close_form=form)
    else:
        messages.success(request, _("Closed without an answer; the customer is told why."))
    return _to_ticket(ticket)


@staff_required
@require_POST
def ticket_out_of_scope(request, number: int):
    ticket = _ticket_or_404(request, number)
    form = OutOfScopeForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, scope_form=form)
    try:
        ticket_mark_out_of_scope(
            tenant=request.tenant, ticket=ticket, actor=request.user, note=form.cleaned_data["note"]
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc, {"reason": "note"})
        return _ticket_page(request, ticket, scope_form=form)
    else:
        messages.success(
            request, _("Marked out of scope: the SLA stops; an answer is a billable extra service.")
        )
    return _to_ticket(ticket)


@staff_required
@require_POST
def ticket_time(request, number: int):
    ticket = _ticket_or_404(request, number)
    form = TimeEntryForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, ticket, time_form=form)
    try:
        entry = time_entry_add(
            tenant=request.tenant, ticket=ticket, actor=request.user, **form.cleaned_data
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _ticket_page(request, ticket, time_form=form)
    else:
        done = (
            _("%(minutes)s billable minutes recorded.")
            if entry.billable
            else _("%(minutes)s minutes recorded.")
        )
        messages.success(request, done % {"minutes": digits(entry.minutes)})
    return redirect(reverse("web:agent_ticket", kwargs={"number": ticket.number}) + "#time")


@staff_required
@require_POST
def ticket_install(request, number: int):
    ticket = _ticket_or_404(request, number)
    services = list(account_selectors.service_list(tenant=request.tenant, customer=ticket.customer))
    form = InstallationForm(request.POST, services=services)
    if not form.is_valid():
        return _ticket_page(request, ticket, install_form=form)
    service = next(s for s in services if s.pk == form.cleaned_data["service"])
    try:
        installation = module_install_record(
            tenant=request.tenant,
            ticket=ticket,
            service=service,
            module=form.cleaned_data["module"],
            actor=request.user,
            minutes=form.cleaned_data["minutes"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _ticket_page(request, ticket, install_form=form)
    else:
        words = {"module": installation.module, "service": service.identifier}
        messages.success(
            request,
            _("%(module)s installed on %(service)s again: billable.") % words
            if installation.billable
            else _("%(module)s installed on %(service)s for the first time: free.") % words,
        )
    return redirect(reverse("web:agent_ticket", kwargs={"number": ticket.number}) + "#time")
