"""Seats given by invitation: an admin names an address and a role, the address gets a link,
and the seat exists once the person behind it accepts (P-1).

Before, an admin's form added any existing staff login at once, anyone's from any workspace,
and asked for a first password only when the address had no login: the form told who uses the
product elsewhere, and put people into workspaces they never agreed to join. Now the form
answers the same for every address, and the seat is the invitee's own act."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from pishkhan.accounts.models import User
from pishkhan.accounts.selectors import invitee_login
from pishkhan.accounts.services import _clean_email, staff_user_create
from pishkhan.core import clock
from pishkhan.tenancy.models import Invitation, Membership, Role, Tenant, hash_token
from pishkhan.tenancy.permissions import require_admin
from pishkhan.tenancy.selectors import invitation_get
from pishkhan.tenancy.services import membership_grant
from pishkhan.trust.services import audit_record

# Long enough for a colleague back from a week off; short enough that a stale link is dead.
VALID_DAYS = 7


@dataclass(frozen=True)
class Sent:
    invitation: Invitation
    link: str  # the raw link, mailed and never stored


def member_invite(
    *, tenant: Tenant, actor, email: str, full_name: str, role: str, link_for
) -> Sent:
    """Mail `email` a link to a seat with `role` here; a waiting invitation to the same address
    is replaced. `link_for(raw_token)` makes the link's address (on the tenant's host). Only a
    person already seated here is refused, which tells the admin nothing they could not see."""
    acting = require_admin(tenant=tenant, user=actor)
    email = _clean_email(email, required=True)
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    if role == Role.OWNER and acting.role != Role.OWNER:
        raise ValidationError({"role": [_("Only an owner may name another owner.")]})
    seated = Membership.objects.for_tenant(tenant).filter(
        user__email=email, user__home_tenant__isnull=True
    )
    if seated.exists():
        raise ValidationError({"email": [_("This person already has a seat here.")]})
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        waiting = Invitation.objects.for_tenant(tenant).filter(
            email=email, accepted_at__isnull=True
        )
        waiting.delete()
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    tenant=tenant,
                    email=email,
                    full_name=" ".join((full_name or "").split())[:150],
                    role=role,
                    token_hash=hash_token(raw),
                    invited_by=actor,
                    created_at=now,
                    expires_at=now + timedelta(days=VALID_DAYS),
                )
        except IntegrityError as exc:
            # Another admin invited the same address at this very moment: theirs stands.
            raise ValidationError(
                {"email": [_("An invitation to this address was just sent.")]}
            ) from exc
        audit_record(
            tenant=tenant,
            actor=actor,
            action="member.invite",
            obj=invitation,
            changes={"email": email, "role": role},
        )
        link = link_for(raw)
        # Sent from here rather than by a job, which would keep the link's secret in the job
        # table. A mail server that fails is logged, not answered with an error page for a
        # write that committed: the invitation is listed as waiting, and inviting again sends
        # a new link.
        transaction.on_commit(lambda: _mail(invitation, link), robust=True)
    return Sent(invitation=invitation, link=link)


def _mail(invitation: Invitation, link: str) -> None:
    # In the workspace's language: the invitee's own is not known to it (and may not exist).
    with translation.override(invitation.tenant.default_language):
        context = {"invitation": invitation, "tenant": invitation.tenant, "link": link}
        subject = render_to_string("accounts/mail/invitation_subject.txt", context)
        body = render_to_string("accounts/mail/invitation.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@transaction.atomic
def invitation_accept(
    *, tenant: Tenant, raw: str, password: str, full_name: str = "", language: str = "fa"
) -> Membership:
    """Take the seat: with the existing login's password, or with a new login made with this
    password (and name). The link then is spent."""
    invitation = invitation_get(tenant=tenant, raw=raw)
    if invitation is None:
        raise PermissionDenied(_("This invitation is no longer valid."))
    # Locked and read again: meanwhile it may have been accepted in another tab, withdrawn, or
    # replaced by a new invitation to the same address.
    invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if invitation is None or invitation.accepted_at is not None:
        raise PermissionDenied(_("This invitation is no longer valid."))
    user = invitee_login(invitation)
    if user is not None:
        if not user.is_active or not user.check_password(password or ""):
            raise ValidationError({"password": [_("The password is wrong.")]})
    else:
        name = " ".join((full_name or invitation.full_name).split())
        # Checked with the person, for any validator that compares the password with them.
        validate_password(password or "", User(email=invitation.email, full_name=name))
        try:
            with transaction.atomic():
                user = staff_user_create(
                    email=invitation.email, password=password, full_name=name, language=language
                )
        except IntegrityError as exc:  # the address got a login meanwhile: ask again
            raise ValidationError({"password": [_("The password is wrong.")]}) from exc
    invitation.accepted_at = clock.now()
    invitation.save(update_fields=["accepted_at"])
    membership = membership_grant(tenant=tenant, user=user, role=invitation.role)
    audit_record(
        tenant=tenant,
        actor=user,
        action="member.join",
        obj=invitation,
        changes={"role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor, invitation: Invitation) -> None:
    require_admin(tenant=tenant, user=actor)
    withdrawn, _kinds = (
        Invitation.objects.for_tenant(tenant)
        .filter(pk=invitation.pk, accepted_at__isnull=True)
        .delete()
    )
    if withdrawn:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="member.invitation_withdrawn",
            obj=invitation,
            changes={"email": invitation.email},
        )
