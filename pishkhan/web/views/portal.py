"""The customer portal: a customer's own tickets, new requests and replies."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pishkhan.tickets import selectors
from pishkhan.tickets.models import Channel
from pishkhan.tickets.services import ticket_reply, ticket_submit
from pishkhan.web.forms import NewTicketForm, ReplyForm, apply_errors
from pishkhan.web.views.access import customer_required
from pishkhan.web.views.common import chosen_department

PAGE_SIZE = 20


def home(request):
    if request.membership is not None:
        return redirect("web:queue")
    if request.customer is not None:
        return portal(request)
    return render(
        request,
        "web/portal/welcome.html",
        {
            "departments": selectors.department_list(tenant=request.tenant),
        },
    )


@customer_required
def portal(request):
    tickets = selectors.ticket_list_for_customer(tenant=request.tenant, customer=request.customer)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/portal/tickets.html", {"page": page})


@customer_required
def ticket_new(request):
    departments = list(selectors.department_list(tenant=request.tenant))
    department = chosen_department(request, departments)
    if department is None and len(departments) == 1:
        department = departments[0]
    form = None
    if department is not None:
        form = NewTicketForm(
            request.POST or None, department=department, language=request.LANGUAGE_CODE
        )
        if request.method == "POST" and form.is_valid():
            try:
                ticket = ticket_submit(
                    tenant=request.tenant,
                    customer=request.customer,
                    department=department,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    fields=form.field_values(),
                    priority=form.cleaned_data["priority"],
                    channel=Channel.PORTAL,
                    files=request.FILES.getlist("attachments"),
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your request was registered."))
                return redirect("web:ticket", number=ticket.number)
    elif request.method == "POST":
        messages.error(request, _("Choose a department."))
    template = (
        "web/portal/_ticket_form.html"
        if request.headers.get("HX-Request")
        else "web/portal/ticket_new.html"
    )
    return render(
        request,
        template,
        {
            "departments": departments,
            "department": department,
            "form": form,
        },
    )


@customer_required
def ticket_detail(request, number: int):
    ticket = selectors.ticket_get(tenant=request.tenant, number=number, customer=request.customer)
    if ticket is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_reply(
                tenant=request.tenant,
                ticket=ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                files=request.FILES.getlist("attachments"),
                channel=Channel.PORTAL,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("web:ticket", number=ticket.number)
    thread = selectors.message_list(tenant=request.tenant, ticket=ticket, include_notes=False)
    return render(
        request,
        "web/portal/ticket_detail.html",
        {
            "ticket": ticket,
            "thread": thread,
            "form": form,
        },
    )
