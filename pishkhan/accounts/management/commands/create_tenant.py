"""`pishkhan create_tenant`: a new workspace with its first owner, from the command line."""

import getpass
import sys

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from pishkhan.accounts.models import User
from pishkhan.accounts.services import staff_user_create
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import membership_grant, tenant_create


class Command(BaseCommand):
    help = "Create a tenant (workspace) and its owner."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="e.g. acme → acme.<base domain>")
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--owner-password", help="asked for when not given")
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            help="an own domain serving this tenant (repeatable)",
        )
        parser.add_argument("--language", default="fa", choices=["fa", "en"])
        parser.add_argument(
            "--operator-desk",
            action="store_true",
            # [003 4.2.6]
            help="the operator's own support desk: other tenants' staff sign in as its "
            "customers, and only owners and portal admins may open tickets",
        )

    def handle(self, *args, **options):
        email = options["owner_email"].strip().lower()
        owner = User.objects.filter(email=email, home_tenant__isnull=True).first()
        password = options["owner_password"]
        existing = owner is not None
        if owner is None and not password:
            password = getpass.getpass("Owner's password / گذرواژه مالک: ")
            if sys.stdin.isatty() and password != getpass.getpass(
                "Again, to be sure / دوباره، برای اطمینان: "
            ):
                raise CommandError("The two passwords differ. / دو گذرواژه یکی نیستند.")
        told = []
        # Told in English and Persian, each under the option it is about: the same attempt
        # again in Persian (rolled back like the first) gives the same errors.
        for language in ("en", "fa"):
            with translation.override(language):
                try:
                    tenant, owner = self._create(options, email, owner, password)
                except ValidationError as error:
                    told.append(_told(error))
                else:
                    told = []
                    break
        if told:
            raise CommandError("\n".join(dict.fromkeys(told)))
        self.stdout.write(f"Created tenant {tenant.slug} (owner {owner.email}).")
        if existing and password:
            # Nobody else's password is changed by creating a workspace.
            self.stdout.write(
                f"{owner.email} already had a login: it keeps its own password, and "
                "--owner-password was not used.\n"
                f"{owner.email} از پیش حساب داشت: گذرواژهٔ خودش می‌ماند و --owner-password "
                "به کار نرفت."
            )

    def _create(self, options, email, owner, password):
        with transaction.atomic():
            tenant = tenant_create(
                slug=options["slug"],
                name=options["name"],
                default_language=options["language"],
                hosts=options["host"],
                is_operator_desk=options["operator_desk"],
            )
            if owner is None:
                try:
                    owner = staff_user_create(
                        email=email,
                        password=password,
                        full_name=options["owner_name"],
                        language=options["language"],
                    )
                except ValidationError as error:
                    if hasattr(error, "error_dict"):
                        raise
                    # The password validators' errors name no field.
                    raise ValidationError({"password": error.error_list}) from error
            membership_grant(tenant=tenant, user=owner, role=Role.OWNER)
        return tenant, owner


# The option each service field comes from.
OPTIONS = {
    "slug": "--slug",
    "name": "--name",
    "email": "--owner-email",
    "full_name": "--owner-name",
    "password": "--owner-password",
    "host": "--host",
    "default_language": "--language",
}


def _told(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "\n".join(
        f"{OPTIONS.get(field, field)}: {'; '.join(messages)}"
        if field != NON_FIELD_ERRORS
        else "; ".join(messages)
        for field, messages in error.message_dict.items()
    )
