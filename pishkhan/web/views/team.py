"""Owner and portal admin pages: who works here (seats and roles) and API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts.services import member_add
from pishkhan.tenancy import selectors
from pishkhan.tenancy.services import api_token_create, api_token_revoke, membership_update
from pishkhan.web.forms import MemberAddForm, MembershipForm, TokenForm, apply_errors
from pishkhan.web.views.access import admin_required


def _about_the_password(exc: ValidationError) -> bool:
    """The password validators name no field; their codes say what they checked."""
    return not hasattr(exc, "error_dict") and all(
        (error.code or "").startswith("password_") for error in exc.error_list
    )


@admin_required
def members(request):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_add(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if _about_the_password(exc):
                form.add_error("password", exc)
            else:
                apply_errors(form, exc)
        else:
            messages.success(request, _("Seat added."))
            return redirect("web:members")
    return render(
        request,
        "web/agent/members.html",
        {
            "memberships": selectors.membership_list_all(tenant=request.tenant),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def member_edit(request, pk: int):
    membership = selectors.membership_get_by_id(tenant=request.tenant, membership_id=pk)
    if membership is None:
        raise Http404
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            membership_update(
                tenant=request.tenant,
                actor=request.user,
                membership=membership,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Seat updated."))
    else:
        messages.error(request, _("Choose a valid role."))
    return redirect("web:members")


@admin_required
def tokens(request):
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = api_token_create(
            tenant=request.tenant,
            user=request.user,
            name=form.cleaned_data["name"],
            actor=request.user,
        )
        form = TokenForm()
    return render(
        request,
        "web/agent/tokens.html",
        {
            "tokens": selectors.api_token_list(tenant=request.tenant),
            "form": form,
            "raw": raw,
        },
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def token_revoke(request, pk: int):
    token = selectors.api_token_get(tenant=request.tenant, token_id=pk)
    if token is None:
        raise Http404
    api_token_revoke(tenant=request.tenant, token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("web:tokens")
