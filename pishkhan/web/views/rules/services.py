"""Customers' services: staff verify owners, record who and when (T-8)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts import ownership
from pishkhan.accounts import selectors as account_selectors
from pishkhan.web.forms import (
    ServiceUnverifyForm,
    ServiceVerifyForm,
    StaffServiceRegisterForm,
)
from pishkhan.web.views.access import staff_required
from pishkhan.web.views.rules._common import (
    CUSTOMER_MATCHES,
    PAGE_SIZE,
    _back,
    _error_messages,
    _form_error_messages,
    noted_action,
)

# --- customers' services ---------------------------------------------------------------------


@staff_required
def services_page(request):
    q = request.GET.get("q", "").strip()[:200]
    services = account_selectors.service_list(tenant=request.tenant)
    if q:
        services = services.filter(
            Q(identifier__icontains=q)
            | Q(label__icontains=q)
            # The customer as the customer search finds them: any spelling of the name.
            | Q(customer__search_text__contains=account_selectors.customer_search_key(q))
        )
    # Claims waiting for someone to check the owner's documents come first, oldest first.
    services = services.order_by(F("verified_at").asc(nulls_first=True), "created_at", "id")
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    find = request.GET.get("find", "").strip()[:200]
    matches = []
    if find:
        matches = [
            (
                customer,
                StaffServiceRegisterForm(
                    initial={"customer": customer.pk}, auto_id=f"id_c{customer.pk}_%s"
                ),
            )
            for customer in account_selectors.customer_list(tenant=request.tenant, query=find)[
                :CUSTOMER_MATCHES
            ]
        ]
    rows = []
    for service in page.object_list:
        row = {"service": service}
        if request.membership.can_write:
            form_class = ServiceUnverifyForm if service.is_verified else ServiceVerifyForm
            row["form"] = form_class(auto_id=f"id_s{service.pk}_%s")
        rows.append(row)
    return render(
        request,
        "web/agent/rules/services.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "find": find,
            "matches": matches,
            "query": query.urlencode(),
        },
    )


def _service_or_404(request, pk: int):
    service = account_selectors.service_get(tenant=request.tenant, pk=pk)
    if service is None:
        raise Http404
    return service


@staff_required
@require_POST
def service_register(request):
    form = StaffServiceRegisterForm(request.POST)
    customer = None
    if form.is_valid():
        customer = account_selectors.customer_get(
            tenant=request.tenant, customer_id=form.cleaned_data["customer"]
        )
        if customer is None:
            form.add_error("customer", _("Choose a customer of this workspace."))
    if not form.is_valid():
        _form_error_messages(request, form)
        return _back(request, "web:rules_services")
    try:
        service = ownership.service_register(
            tenant=request.tenant,
            customer=customer,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            identifier=form.cleaned_data["identifier"],
            label=form.cleaned_data["label"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            _("%(service)s registered for %(customer)s; it awaits verification.")
            % {"service": service.identifier, "customer": customer.name},
        )
        return redirect("web:rules_services")
    return _back(request, "web:rules_services")


def _service_action(request, pk: int, form_class, action, done: str):
    service = _service_or_404(request, pk)
    return noted_action(
        request,
        form_class,
        action,
        service=service,
        done=done % {"service": service.identifier},
        back="web:rules_services",
    )


@staff_required
@require_POST
def service_verify(request, pk: int):
    return _service_action(
        request, pk, ServiceVerifyForm, ownership.service_verify, _("%(service)s verified.")
    )


@staff_required
@require_POST
def service_unverify(request, pk: int):
    return _service_action(
        request,
        pk,
        ServiceUnverifyForm,
        ownership.service_unverify,
        _("Verification of %(service)s withdrawn."),
    )


@staff_required
@require_POST
def service_remove(request, pk: int):
    service = _service_or_404(request, pk)
    try:
        ownership.service_remove(tenant=request.tenant, service=service, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("%(service)s removed.") % {"service": service.identifier})
    return _back(request, "web:rules_services")
