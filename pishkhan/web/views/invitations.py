"""The page an invitation's link opens: the invitee takes the seat, with their login's password
or with a new login (pishkhan.accounts.invitations)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pishkhan.accounts.invitations import invitation_accept
from pishkhan.accounts.selectors import invitee_login
from pishkhan.tenancy.selectors import invitation_get
from pishkhan.web.forms import InvitationAcceptForm, apply_errors
from pishkhan.web.views.auth import _start_session


def _spent(request):
    return render(request, "web/auth/invitation.html", {"invitation": None}, status=404)


def invitation(request, token: str):
    found = invitation_get(tenant=request.tenant, raw=token)
    if found is None:
        return _spent(request)
    new_login = invitee_login(found) is None
    form = InvitationAcceptForm(
        request.POST or None,
        new_login=new_login,
        email=found.email,
        initial={"full_name": found.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_accept(
                tenant=request.tenant,
                raw=token,
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data.get("full_name", ""),
                language=request.LANGUAGE_CODE,
            )
        except PermissionDenied:
            return _spent(request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _start_session(request, membership.user)
            messages.success(request, _("Welcome to %(name)s.") % {"name": request.tenant.name})
            return redirect("web:queue")
    return render(
        request,
        "web/auth/invitation.html",
        {"invitation": found, "form": form, "new_login": new_login},
        status=400 if form.errors else 200,
    )
