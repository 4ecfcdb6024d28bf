"""Owner and portal admin pages: who works here (seats and roles) and API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts.invitations import invitation_revoke, member_invite
from pishkhan.tenancy import selectors
from pishkhan.tenancy.services import api_token_create, api_token_revoke, membership_update
from pishkhan.web.forms import MemberInviteForm, MembershipForm, TokenForm, apply_errors
from pishkhan.web.views.access import admin_required


@admin_required
def members(request):
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = member_invite(
                tenant=request.tenant,
                actor=request.user,
                link_for=lambda raw: request.build_absolute_uri(
                    reverse("web:invitation", kwargs={"token": raw})
                ),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # The same words whether the address has a login anywhere or not.
            messages.success(
                request,
                _("Invitation sent to %(email)s: the seat is theirs once they accept it.")
                % {"email": sent.invitation.email},
            )
            return redirect("web:members")
    return render(
        request,
        "web/agent/members.html",
        {
            "memberships": selectors.membership_list_all(tenant=request.tenant),
            "invitations": selectors.invitations_waiting(tenant=request.tenant),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def invitation_withdraw(request, pk: int):
    invitation = selectors.invitation_waiting_get(tenant=request.tenant, invitation_id=pk)
    if invitation is None:
        raise Http404
    invitation_revoke(tenant=request.tenant, actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("web:members")


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
