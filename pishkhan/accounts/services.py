"""Writes for logins and customers."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pishkhan import compiled_inserts
from pishkhan.accounts import events
from pishkhan.accounts.models import Customer, User
from pishkhan.core.persian import is_blank, name_key, to_ascii_digits
from pishkhan.tenancy.models import Membership, Tenant
from pishkhan.tenancy.permissions import require_writer
from pishkhan.trust.services import audit_record
from pishkhan.validation import collect

LANGUAGES = ("fa", "en")


def _clean_email(email: str, *, required: bool) -> str:
    email = (email or "").strip().lower()
    if not email:
        if required:
            raise ValidationError({"email": [_("This field is required.")]})
        return ""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from exc
    return email


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if is_blank(name):
        raise ValidationError({"name": [_("This field is required.")]})
    if len(name) > 150:
        raise ValidationError({"name": [_("Too long (at most %(n)s characters).") % {"n": 150}]})
    return name


def _clean_phone(phone: str) -> str:
    phone = to_ascii_digits((phone or "").strip()).replace(" ", "").replace("-", "")
    if phone and not (phone.lstrip("+").isdigit() and 5 <= len(phone) <= 16):
        raise ValidationError({"phone": [_("Enter a phone number of digits, e.g. 09121234567.")]})
    return phone


def customer_search_text(*, name: str, email: str = "", phone: str = "") -> str:
    """What the customer search matches a part of (Customer.search_text): the name and email
    as names compare (name_key: every spelling of a Persian name, letter case), the phone in
    ASCII digits as kept. One per line, so a match never runs from one into the next (a
    query's name_key holds no line break)."""
    return "\n".join(p for p in (name_key(name or ""), name_key(email or ""), phone or "") if p)


def _clean_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationError({"language": [_("Choose fa or en.")]})
    return language


@transaction.atomic
def customer_signup(
    *, tenant: Tenant, name: str, email: str, password: str, language: str = "fa"
) -> User:
    """A customer creates a portal login. If the tenant already knows this address (a customer
    created from an email or by an agent), the login is attached to that customer."""
    if not tenant.allow_customer_signup:
        raise ValidationError(_("This workspace does not accept sign-ups."))
    cleaned, errors = collect(
        {
            "name": lambda: _clean_name(name),
            "email": lambda: _clean_email(email, required=True),
            "language": lambda: _clean_language(language),
            "password": lambda: validate_password(
                password or "", User(email=email or "", full_name=name or "")
            ),
        }
    )
    cleaned.pop("password", None)
    if (
        "email" in cleaned
        and User.objects.filter(home_tenant=tenant, email=cleaned["email"]).exists()
    ):
        errors["email"] = [_("An account with this email exists. Log in or reset your password.")]
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(
        cleaned["email"],
        password,
        full_name=cleaned["name"],
        home_tenant=tenant,
        language=cleaned["language"],
    )
    customer = (
        Customer.objects.for_tenant(tenant)
        .select_for_update()
        .filter(email=cleaned["email"], user__isnull=True)
        .first()
    )
    if customer is None:
        customer = Customer.objects.create(
            tenant=tenant,
            user=user,
            name=cleaned["name"],
            email=cleaned["email"],
            language=cleaned["language"],
            search_text=customer_search_text(name=cleaned["name"], email=cleaned["email"]),
        )
    else:
        customer.user = user
        customer.save(update_fields=["user", "updated_at"])
    events.customer_changed(customer)
    audit_record(tenant=tenant, actor=user, action="customer.signup", obj=customer)
    return user


def customer_create(
    *,
    tenant: Tenant,
    actor: User | None,
    name: str,
    email: str = "",
    phone: str = "",
    language: str = "fa",
    via: str = "web",
) -> Customer:
    if actor is not None:
        require_writer(tenant=tenant, user=actor)
    cleaned, errors = collect(
        {
            "name": lambda: _clean_name(name),
            "email": lambda: _clean_email(email, required=False),
            "phone": lambda: _clean_phone(phone),
            "language": lambda: _clean_language(language),
        }
    )
    if errors:
        if _email_taken(tenant, cleaned.get("email")):
            errors["email"] = [_("A customer with this email exists.")]
        raise ValidationError(errors)
    # No look-up first: the unique constraint (tenant, email) answers, and a new customer
    # (every first mail from someone) costs one statement less.
    try:
        with transaction.atomic():
            search_text = customer_search_text(
                name=cleaned["name"], email=cleaned["email"], phone=cleaned["phone"]
            )
            customer = compiled_inserts.create(
                Customer, tenant=tenant, search_text=search_text, **cleaned
            )
            events.customer_changed(customer)
            audit_record(
                tenant=tenant, actor=actor, action="customer.create", obj=customer, via=via
            )
    except IntegrityError:
        if _email_taken(tenant, cleaned.get("email")):
            raise ValidationError({"email": [_("A customer with this email exists.")]}) from None
        raise
    return customer


def _email_taken(tenant: Tenant, email: str | None) -> bool:
    return bool(email) and Customer.objects.for_tenant(tenant).filter(email=email).exists()


@transaction.atomic
def customer_update(
    *, tenant: Tenant, actor: User, customer: Customer, fields: dict, via: str = "web"
) -> Customer:
    require_writer(tenant=tenant, user=actor)
    checks = {
        "name": _clean_name,
        "phone": _clean_phone,
        "language": _clean_language,
        "email": lambda v: _clean_email(v, required=False),
    }
    errors: dict[str, list[str]] = {}
    changes: dict[str, list[str]] = {}
    for key, value in fields.items():
        if key not in checks:
            errors[key] = [_("Unknown field.")]
            continue
        try:
            cleaned = checks[key](value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if (
            key == "email"
            and cleaned
            and Customer.objects.for_tenant(tenant)
            .filter(email=cleaned)
            .exclude(pk=customer.pk)
            .exists()
        ):
            errors["email"] = [_("A customer with this email exists.")]
            continue
        if getattr(customer, key) != cleaned:
            changes[key] = [getattr(customer, key), cleaned]
    if errors:
        raise ValidationError(errors)
    for key, (_old, new) in changes.items():
        setattr(customer, key, new)
    if changes:
        written = [*changes, "updated_at"]
        if {"name", "email", "phone"} & set(changes):
            customer.search_text = customer_search_text(
                name=customer.name, email=customer.email, phone=customer.phone
            )
            written.append("search_text")
        customer.save(update_fields=written)
        events.customer_changed(customer, found_by=bool({"name", "email", "phone"} & set(changes)))
        audit_record(
            tenant=tenant,
            actor=actor,
            action="customer.update",
            obj=customer,
            via=via,
            changes=changes,
        )
    return customer


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    user.language = _clean_language(language)
    user.save(update_fields=["language"])
    if user.home_tenant_id:
        Customer.objects.filter(user=user).update(language=user.language)
    return user


@transaction.atomic
def staff_user_create(
    *, email: str, password: str, full_name: str = "", language: str = "fa"
) -> User:
    email = _clean_email(email, required=True)
    if User.objects.filter(home_tenant__isnull=True, email=email).exists():
        raise ValidationError({"email": [_("A staff user with this email exists.")]})
    validate_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(
        email, password, full_name=full_name.strip(), language=_clean_language(language)
    )


@transaction.atomic
def operator_desk_customer_ensure(*, tenant: Tenant, user: User) -> Customer | None:
    """At the operator's desk, another tenant's staff member is a customer: their customer
    record is made (or an earlier one with their address linked) when they first sign in.
    None where this does not apply (not the desk, or a member of the desk itself)."""
    if not tenant.is_operator_desk or user.home_tenant_id is not None:
        return None
    if Membership.objects.for_tenant(tenant).filter(user=user).exists():
        return None
    found = Customer.objects.for_tenant(tenant).filter(user=user).first()
    if found is not None:
        return found
    by_email = (
        Customer.objects.for_tenant(tenant)
        .select_for_update()
        .filter(email=user.email, user__isnull=True)
        .first()
    )
    if by_email is not None:
        by_email.user = user
        by_email.save(update_fields=["user", "updated_at"])
        return by_email
    name = user.full_name or user.email
    customer = Customer.objects.create(
        tenant=tenant,
        user=user,
        name=name,
        email=user.email,
        language=user.language,
        search_text=customer_search_text(name=name, email=user.email),
    )
    events.customer_changed(customer)
    return customer


def customer_mark_email_failing(*, tenant: Tenant, email: str, reason: str, now) -> int:
    """Mail to this address bounced (C-1): stop mailing it until the customer writes from it
    again. Returns how many of the tenant's customers use the address (0 or 1)."""
    email = (email or "").strip().lower()
    if not email:
        return 0
    return (
        Customer.objects.for_tenant(tenant)
        .filter(email=email)
        .update(email_failing_since=now, email_failure=(reason or "")[:300], updated_at=now)
    )


def customer_clear_email_failing(*, tenant: Tenant, customer: Customer, actor=None, via="mail"):
    """The address works again: the customer wrote from it, or staff corrected it."""
    if actor is not None:
        # Asked before anything else, so the answer does not depend on the address's state.
        require_writer(tenant=tenant, user=actor)
    if customer.email_failing_since is None:
        return customer
    customer.email_failing_since = None
    customer.email_failure = ""
    customer.save(update_fields=["email_failing_since", "email_failure", "updated_at"])
    if actor is not None:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="customer.email_restored",
            obj=customer,
            via=via,
            changes={},
        )
    return customer
