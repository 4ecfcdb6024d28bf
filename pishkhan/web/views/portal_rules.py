"""The customer's side of the support rules: their services (T-8) and their fines (T-12).

A customer sees and changes only their own: another customer's service or fine answers 404,
the same as one that does not exist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts.ownership import service_register, service_remove
from pishkhan.accounts.selectors import service_get, service_list
from pishkhan.core import clock
from pishkhan.policies.models import FineStatus
from pishkhan.policies.selectors import fine_get, fine_list
from pishkhan.web.forms import ServiceRegisterForm, apply_errors
from pishkhan.web.views.access import customer_required


@customer_required
def services(request):
    form = ServiceRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = service_register(
                tenant=request.tenant,
                customer=request.customer,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                identifier=form.cleaned_data["identifier"],
                label=form.cleaned_data["label"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request,
                _("%(service)s is registered. We will verify that it is yours.")
                % {"service": service.identifier},
            )
            return redirect("web:portal_services")
    rows = sorted(
        service_list(tenant=request.tenant, customer=request.customer),
        key=lambda s: (not s.is_verified, s.kind, s.identifier),
    )
    return render(request, "web/portal/services.html", {"services": rows, "form": form})


@require_POST
@customer_required
def service_delete(request, pk: int):
    service = service_get(tenant=request.tenant, pk=pk, customer=request.customer)
    if service is None:
        raise Http404
    try:
        service_remove(tenant=request.tenant, service=service, actor=request.user)
    except PermissionDenied as exc:
        # A verified service is the customer's own, but only staff may withdraw it.
        messages.error(request, exc.args[0] if exc.args else _("You may not remove this."))
    else:
        messages.success(request, _("%(service)s was removed.") % {"service": service.identifier})
    return redirect("web:portal_services")


@customer_required
def fines(request):
    rows = fine_list(tenant=request.tenant, customer=request.customer).order_by(
        "-charged_at", "-id"
    )
    return render(
        request,
        "web/portal/fines.html",
        {"fines": rows, "now": clock.now(), "unpaid": FineStatus.UNPAID},
    )


@customer_required
def fine_detail(request, pk: int):
    fine = fine_get(tenant=request.tenant, pk=pk)
    if fine is None or fine.customer_id != request.customer.pk:
        raise Http404
    return render(
        request,
        "web/portal/fine_detail.html",
        {"fine": fine, "now": clock.now(), "unpaid": FineStatus.UNPAID},
    )


urls: list = [
    path("my/services/", services, name="portal_services"),
    path("my/services/<int:pk>/remove/", service_delete, name="portal_service_remove"),
    path("my/fines/", fines, name="portal_fines"),
    path("my/fines/<int:pk>/", fine_detail, name="portal_fine"),
]
