"""The customer portal: a customer's own tickets, new requests and replies.

The support rules (T-4 … T-12) speak here through the services' `PolicyRefusal`: the form is
shown again with everything typed, and the refusal explains what to do instead (add the text to
the open ticket it repeats, say why it differs, open a follow-up, pay a fine)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pishkhan.accounts.selectors import service_list
from pishkhan.core.persian import to_ascii_digits
from pishkhan.tickets import selectors
from pishkhan.tickets.intake import PolicyRefusal
from pishkhan.tickets.models import Channel, Status
from pishkhan.tickets.services import SUBJECT_MAX, ticket_reply, ticket_submit
from pishkhan.web.forms import PortalTicketForm, ReplyForm, apply_errors
from pishkhan.web.views import deflection
from pishkhan.web.views.access import customer_required
from pishkhan.web.views.common import chosen_department

PAGE_SIZE = 20
# Requests are written in Persian (T-7), so a follow-up's subject starts in Persian whatever
# language the page is shown in.
FOLLOW_UP_PREFIX = "پیگیری: "
# Refusals whose message is shown in both languages (T-7 asks for both).
BILINGUAL_REFUSALS = frozenset({"not_persian"})


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


def _follow_up_of(request):
    """The customer's own ticket named by `follow_up` (form or query string), or None; a number
    that is not theirs answers 404, as everywhere."""
    raw = to_ascii_digits(str(request.POST.get("follow_up") or request.GET.get("follow_up") or ""))
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise Http404
    ticket = selectors.ticket_get(tenant=request.tenant, number=int(raw), customer=request.customer)
    if ticket is None:
        raise Http404
    return ticket


def _follow_up_subject(subject: str) -> str:
    text = subject if subject.startswith(FOLLOW_UP_PREFIX) else FOLLOW_UP_PREFIX + subject
    return text[:SUBJECT_MAX]


def _follow_up_initial(ticket, department) -> dict:
    """A follow-up starts from the closed ticket: its subject and, in the same department, the
    details it already gave (the domain, the server), so none has to be typed again."""
    initial = {"subject": _follow_up_subject(ticket.subject)}
    if department.pk == ticket.department_id:
        initial.update({f"field_{key}": value for key, value in ticket.fields.items()})
    return initial


def refusal_context(refusal: PolicyRefusal) -> dict:
    """What a template needs to explain a refusal: its code, its text in the page's language
    (both languages where the rule asks for it) and what the customer can do about it."""
    return {
        "code": refusal.code,
        "text": refusal.messages[0],
        "message_fa": refusal.message_fa,
        "message_en": refusal.message_en,
        "bilingual": refusal.code in BILINGUAL_REFUSALS,
        "detail": refusal.detail,
    }


@customer_required
def ticket_new(request):
    departments = list(selectors.department_list(tenant=request.tenant))
    follow_up = _follow_up_of(request)
    department = chosen_department(request, departments)
    if department is None and follow_up is not None:
        department = next((d for d in departments if d.pk == follow_up.department_id), None)
    if department is None and len(departments) == 1:
        department = departments[0]
    services = sorted(
        service_list(tenant=request.tenant, customer=request.customer),
        key=lambda s: (not s.is_verified, s.kind, s.identifier),
    )
    form = None
    refusal = None
    service_missing = False
    # T-11: the articles suggested while the request is written, recorded on this visit.
    deflection_key = deflection.visit_key(request)
    suggestions = []
    if department is not None:
        initial = _follow_up_initial(follow_up, department) if follow_up else {}
        form = PortalTicketForm(
            request.POST or None,
            department=department,
            language=request.LANGUAGE_CODE,
            services=services,
            initial=initial,
        )
        for name in ("subject", "body"):
            form.fields[name].widget.attrs.update(deflection.suggestion_attrs())
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
                    service=form.cleaned_data.get("service"),
                    follow_up_of=follow_up,
                    different_reason=form.cleaned_data["different_reason"],
                )
            except PolicyRefusal as exc:
                refusal = refusal_context(exc)
            except ValidationError as exc:
                # Without a service to choose, "choose a service" needs a way to add one.
                service_missing = "service" in getattr(exc, "error_dict", {}) and not services
                apply_errors(form, exc)
            else:
                deflection.record_submitted(request, key=deflection_key, ticket=ticket)
                messages.success(request, _("Your request was registered."))
                return redirect("web:ticket", number=ticket.number)
        if request.method == "POST":
            # Shown again (refused or incomplete): suggest for what was typed, which is also
            # how a browser without JavaScript gets suggestions.
            suggestions = deflection.suggest_and_record(
                request,
                key=deflection_key,
                subject=str(request.POST.get("subject", "")),
                body=str(request.POST.get("body", "")),
            )
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
            "follow_up": follow_up,
            "refusal": refusal,
            "service_missing": service_missing,
            # Browsers never refill a file input: say so when files were chosen.
            "files_dropped": bool(request.FILES.getlist("attachments")),
            "deflection_key": deflection_key,
            "deflection_field": deflection.VISIT_FIELD,
            "suggestions": suggestions,
        },
    )


def _missing_fields(ticket) -> list[dict]:
    """The definitions of the fields a request is waiting for, in the department's order; a
    key the department no longer defines is shown as it is."""
    definitions = {d["key"]: d for d in ticket.department.fields}
    found = [
        definitions.get(key, {"key": key, "label_fa": key, "label_en": key})
        for key in ticket.missing_fields
    ]
    # Where the reply form finds each field's posted value (errors show at the form's top).
    return [{**d, "post_name": f"field_{d['key']}"} for d in found]


@customer_required
def ticket_detail(request, number: int):
    ticket = selectors.ticket_get(tenant=request.tenant, number=number, customer=request.customer)
    if ticket is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            ticket_reply(
                tenant=request.tenant,
                ticket=ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                files=request.FILES.getlist("attachments"),
                channel=Channel.PORTAL,
                # T-6: what the request lacked, given beside the reply.
                fields={k: request.POST.get(f"field_{k}", "") for k in ticket.missing_fields},
            )
        except PolicyRefusal as exc:
            # T-5: a closed ticket stays closed; the page says so and offers the follow-up.
            refusal = refusal_context(exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("web:ticket", number=ticket.number)
    # A request merged into this one is read here, where the conversation goes on.
    thread = selectors.customer_thread(tenant=request.tenant, ticket=ticket)
    # Only links between the customer's own tickets are shown.
    follow_up_of = ticket.follow_up_of
    if follow_up_of is not None and follow_up_of.customer_id != ticket.customer_id:
        follow_up_of = None
    merged_into = ticket.merged_into
    if merged_into is not None and merged_into.customer_id != ticket.customer_id:
        merged_into = None
    return render(
        request,
        "web/portal/ticket_detail.html",
        {
            "ticket": ticket,
            "thread": thread,
            "form": form,
            "refusal": refusal,
            "follow_up_of": follow_up_of,
            "follow_ups": ticket.follow_ups.filter(customer_id=ticket.customer_id).order_by(
                "number"
            ),
            "merged_into": merged_into,
            "missing_fields": (
                _missing_fields(ticket)
                if ticket.missing_fields and ticket.status == Status.WAITING
                else []
            ),
        },
    )
