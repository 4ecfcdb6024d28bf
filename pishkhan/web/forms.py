"""Forms check the shape of input (types, choices, lengths) and show errors beside the fields.
Business rules live in the services; their ValidationErrors are shown with `apply_errors`."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pishkhan.accounts.models import User
from pishkhan.accounts.selectors import user_get_for_login
from pishkhan.core.persian import is_blank
from pishkhan.tenancy.models import Role
from pishkhan.tickets.fields import field_label
from pishkhan.tickets.models import Channel, FieldKind, MessageKind, Priority, Severity, Status

LANGUAGE_CHOICES = [("fa", "فارسی"), ("en", "English")]


def apply_errors(form: forms.Form, exc: ValidationError, field_map: dict | None = None) -> None:
    """Show a service's ValidationError on the form: known fields beside the field, the rest at
    the top."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        name = field_map.get(key, key)
        if name.startswith("fields."):
            name = "field_" + name.removeprefix("fields.")
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments by their name in the reader's language (the Persian name where no English
    one is given), as the `label` template filter shows them."""

    def label_from_instance(self, obj) -> str:
        return obj.label((translation.get_language() or "fa")[:2])


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        max_length=128,
        help_text=_("At least 8 characters, not only digits."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="fa")

    # Checked here as well as in the service so that every mistake shows at once.
    def clean_name(self):
        if is_blank(self.cleaned_data["name"]):
            raise ValidationError(_("This field is required."))
        return self.cleaned_data["name"]

    def clean(self):
        cleaned = super().clean()
        if "password" in cleaned:
            # The person as they will be, so the password is not their name or address.
            person = User(email=cleaned.get("email", ""), full_name=cleaned.get("name", ""))
            try:
                validate_password(cleaned["password"], person)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES)
    next = forms.CharField(required=False, max_length=500)


class TenantPasswordResetForm(PasswordResetForm):
    """Finds the login only within this tenant, so a reset mail never crosses tenants."""

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def get_users(self, email):
        user = user_get_for_login(tenant=self.tenant, email=email) if self.tenant else None
        if user is not None and user.is_active and user.has_usable_password():
            yield user


def _widget_for(kind: str):
    if kind in (FieldKind.DOMAIN, FieldKind.IP, FieldKind.EMAIL, FieldKind.URL):
        return forms.TextInput(
            attrs={"dir": "ltr", "inputmode": "url" if kind != FieldKind.EMAIL else "email"}
        )
    if kind == FieldKind.NUMBER:
        return forms.TextInput(attrs={"inputmode": "numeric"})
    return forms.TextInput()


class NewTicketForm(forms.Form):
    """A request to one department: its own fields appear as `field_<key>` (T-1)."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Describe your request"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        help_text=_(
            "Urgent: service down. Important: service disrupted. Normal: everything "
            "else (financial, sales)."
        ),
    )

    def __init__(self, *args, department, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        for definition in department.fields:
            self.fields["field_" + definition["key"]] = forms.CharField(
                label=field_label(definition, language),
                required=definition["required"],
                max_length=500,
                widget=_widget_for(definition["kind"]),
            )

    def field_values(self) -> dict:
        return {
            d["key"]: self.cleaned_data.get("field_" + d["key"], "") for d in self.department.fields
        }


class AgentNewTicketForm(NewTicketForm):
    """Staff file a request for a customer who called, wrote or walked in."""

    customer_name = forms.CharField(label=_("Customer's name"), max_length=150)
    customer_email = forms.EmailField(
        label=_("Customer's email"),
        required=False,
        max_length=254,
        help_text=_("A customer with this email is reused; otherwise a new one is created."),
    )
    customer_phone = forms.CharField(label=_("Customer's phone"), required=False, max_length=32)
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c, label) for c, label in Channel.choices if c != Channel.API],
        initial=Channel.PHONE,
    )
    field_order = ["customer_name", "customer_email", "customer_phone", "channel"]

    def contact(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["customer_name"],
            "email": data["customer_email"],
            "phone": data["customer_phone"],
        }


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000
    )


class AgentReplyForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (MessageKind.REPLY, _("Reply to customer")),
            (MessageKind.NOTE, _("Internal note")),
        ],
        initial=MessageKind.REPLY,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000
    )
    status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=[
            ("", _("Waiting on customer (default)")),
            *[(v, label) for v, label in Status.choices if v != Status.NEW],
        ],
    )


class TicketPropertiesForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, required=False, empty_value=None
    )
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separate with commas.")
    )

    def __init__(self, *args, members, departments, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Unassigned"))] + [
            (m.user_id, m.user.display_name) for m in members
        ]
        self.fields["department"].choices = [(d.pk, d.label(language)) for d in departments]

    def tag_list(self) -> list[str]:
        return [
            t.strip()
            for t in self.cleaned_data.get("tags", "").replace("،", ",").split(",")
            if t.strip()
        ]


class CannedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000
    )


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name (Persian)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    is_active = forms.BooleanField(label=_("Accepts new requests"), required=False, initial=True)


FIELD_ROWS = 6


class DepartmentFieldRowForm(forms.Form):
    """One row of the required-fields editor."""

    key = forms.CharField(
        label=_("Key"), max_length=40, required=False, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    label_fa = forms.CharField(label=_("Persian label"), max_length=120, required=False)
    label_en = forms.CharField(label=_("English label"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldKind.choices, initial=FieldKind.TEXT)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


DepartmentFieldFormSet = forms.formset_factory(DepartmentFieldRowForm, extra=0, max_num=20)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the shop's order system."),
    )


# --- service levels ------------------------------------------------------------------------

INTERVAL_ROWS = 3  # working intervals shown per weekday (e.g. 08:00-12:00 and 13:00-16:00)
EXTRA_TARGET_ROWS = 2  # blank rows for a target that applies to one priority only
MAX_EXTRA_TARGET_ROWS = 12
_JALALI_YEAR_LIMIT = 1700  # a year below this is read as Solar Hijri (1405), above as Gregorian


def _time_input():
    return forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric", "size": 6})


def _target_input(label: str):
    return forms.TextInput(attrs={"dir": "ltr", "placeholder": "—", "size": 6, "aria-label": label})


def parse_day(text: str):
    """A date as people type it here: Jalali 1405/09/12 (Persian or ASCII digits) or ISO
    2026-12-03. None when it is neither."""
    from datetime import date

    import jdatetime

    from pishkhan.core.persian import to_ascii_digits

    cleaned = to_ascii_digits(text or "").strip().replace("-", "/")
    parts = cleaned.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    year, month, day = (int(p) for p in parts)
    try:
        if year < _JALALI_YEAR_LIMIT:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


class CalendarForm(forms.Form):
    """A business calendar: its settings and, per weekday (Saturday first), a few working
    intervals `w<weekday>_<row>_start` / `_end` (blank rows are ignored)."""

    name = forms.CharField(
        label=_("Short name"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_("Latin letters, used by the API and the command line (e.g. office)."),
    )
    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="Asia/Tehran",
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    day_minutes = forms.CharField(
        label=_("Minutes in a working day"),
        max_length=6,
        initial="480",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
        help_text=_("What one business day (bd) of a target is worth: 8 hours = 480."),
    )
    official_holidays = forms.BooleanField(
        label=_("Closed on Iran's official holidays"), required=False, initial=True
    )
    SETTINGS = ("name", "label", "time_zone", "day_minutes", "official_holidays")

    def __init__(self, *args, with_name: bool = True, rows: int = INTERVAL_ROWS, **kwargs):
        from pishkhan.sla.calendars import WEEK_ORDER

        super().__init__(*args, **kwargs)
        if not with_name:
            del self.fields["name"]
        self.rows = rows
        for weekday in WEEK_ORDER:
            for row in range(rows):
                for end in ("start", "end"):
                    self.fields[f"w{weekday}_{row}_{end}"] = forms.CharField(
                        required=False, max_length=5, widget=_time_input()
                    )

    @staticmethod
    def initial_for(week) -> dict:
        initial = {}
        for weekday, intervals in enumerate(week or []):
            for row, (start, end) in enumerate(intervals):
                initial[f"w{weekday}_{row}_start"] = start
                initial[f"w{weekday}_{row}_end"] = end
        return initial

    def setting_fields(self):
        return [self[name] for name in self.SETTINGS if name in self.fields]

    def days(self):
        """(weekday name, [(start field, end field) ...]) Saturday first, for the template."""
        from pishkhan.sla.calendars import WEEK_ORDER, WEEKDAY_NAMES

        return [
            (
                WEEKDAY_NAMES[weekday],
                [
                    (self[f"w{weekday}_{row}_start"], self[f"w{weekday}_{row}_end"])
                    for row in range(self.rows)
                ],
            )
            for weekday in WEEK_ORDER
        ]

    def clean(self):
        from pishkhan.core.persian import to_ascii_digits

        data = super().clean()
        week: list[list[list[str]]] = [[] for _day in range(7)]
        for weekday in range(7):
            for row in range(self.rows):
                start_key, end_key = f"w{weekday}_{row}_start", f"w{weekday}_{row}_end"
                start = to_ascii_digits(data.get(start_key, "")).strip()
                end = to_ascii_digits(data.get(end_key, "")).strip()
                if not start and not end:
                    continue
                if not start or not end:
                    self.add_error(
                        start_key if not start else end_key,
                        _("Give both the start and the end of the interval."),
                    )
                    continue
                week[weekday].append([start, end])
        data["week"] = week
        return data

    def service_arguments(self) -> dict:
        keys = (*self.SETTINGS, "week")
        return {k: self.cleaned_data[k] for k in keys if k in self.cleaned_data}


class CalendarDayForm(forms.Form):
    day = forms.CharField(
        label=_("Date"),
        max_length=20,
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "1405/09/12"}),
        help_text=_("Jalali (1405/09/12) or Gregorian (2026-12-03)."),
    )
    kind = forms.ChoiceField(label=_("Kind"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from pishkhan.sla.models import DayKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = DayKind.choices

    def clean_day(self):
        day = parse_day(self.cleaned_data["day"])
        if day is None:
            raise ValidationError(_("Give a date like 1405/09/12 or 2026-12-03."))
        return day


class PolicyForm(forms.Form):
    """An SLA policy with its targets table: one row for each severity (any priority) and a few
    rows for one severity and one priority (`x<row>_severity`, `x<row>_priority`)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    calendar = forms.TypedChoiceField(label=_("Business calendar"), coerce=int)
    at_risk_percent = forms.CharField(
        label=_("At risk after this share of the target is used (%)"),
        max_length=4,
        initial="80",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "size": 4}),
    )
    notify_supervisors = forms.BooleanField(
        label=_("On breach, tell supervisors"), required=False, initial=True
    )
    raise_priority = forms.BooleanField(label=_("On breach, raise the priority"), required=False)
    reassign_to = forms.TypedChoiceField(
        label=_("On breach, reassign to"), coerce=int, required=False, empty_value=None
    )
    is_default = forms.BooleanField(
        label=_("Default policy (for departments without their own)"), required=False
    )
    extra = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_EXTRA_TARGET_ROWS, widget=forms.HiddenInput
    )

    def __init__(self, *args, calendars, members, extra_rows: int = EXTRA_TARGET_ROWS, **kwargs):
        from pishkhan.sla.models import CLOCK_KINDS, ClockKind

        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [(c.pk, c.label or c.name) for c in calendars]
        self.fields["reassign_to"].choices = [("", _("Nobody"))] + [
            (m.user_id, m.user.display_name) for m in members
        ]
        if self.is_bound:
            try:
                extra_rows = int(self.data.get("extra", extra_rows))
            except (TypeError, ValueError):
                pass
        self.extra_rows = min(max(extra_rows, 0), MAX_EXTRA_TARGET_ROWS)
        self.initial.setdefault("extra", self.extra_rows)
        self.kinds = CLOCK_KINDS
        kind_names = dict(ClockKind.choices)
        for severity, severity_name in Severity.choices:
            for kind in CLOCK_KINDS:
                self.fields[f"t_{severity}_{kind}"] = forms.CharField(
                    required=False,
                    max_length=12,
                    widget=_target_input(f"{severity_name}: {kind_names[kind]}"),
                )
        for row in range(self.extra_rows):
            self.fields[f"x{row}_severity"] = forms.ChoiceField(
                required=False,
                choices=[("", "—"), *Severity.choices],
                widget=forms.Select(attrs={"aria-label": _("Class of request")}),
            )
            self.fields[f"x{row}_priority"] = forms.ChoiceField(
                required=False,
                choices=[("", "—"), *Priority.choices],
                widget=forms.Select(attrs={"aria-label": _("Priority")}),
            )
            for kind in CLOCK_KINDS:
                self.fields[f"x{row}_{kind}"] = forms.CharField(
                    required=False, max_length=12, widget=_target_input(kind_names[kind])
                )

    @classmethod
    def initial_for(cls, policy) -> tuple[dict, int]:
        """The form's initial values for a stored policy, and how many one-priority rows."""
        initial = {
            "name": policy.name,
            "calendar": policy.calendar_id,
            "at_risk_percent": str(policy.at_risk_percent),
            "notify_supervisors": policy.notify_supervisors,
            "raise_priority": policy.raise_priority,
            "reassign_to": policy.reassign_to_id,
            "is_default": policy.is_default,
        }
        specific = sorted(
            (t for t in policy.targets.all() if t.priority),
            key=lambda t: (Severity.values.index(t.severity), Priority.values.index(t.priority)),
        )
        for target in policy.targets.all():
            if not target.priority:
                for kind in ("first_response", "restore", "resolution"):
                    initial[f"t_{target.severity}_{kind}"] = getattr(target, kind)
        for row, target in enumerate(specific):
            initial[f"x{row}_severity"] = target.severity
            initial[f"x{row}_priority"] = target.priority
            for kind in ("first_response", "restore", "resolution"):
                initial[f"x{row}_{kind}"] = getattr(target, kind)
        return initial, min(len(specific) + EXTRA_TARGET_ROWS, MAX_EXTRA_TARGET_ROWS)

    def base_rows(self):
        """(severity label, [field per kind]) for the template."""
        return [
            (name, [self[f"t_{severity}_{kind}"] for kind in self.kinds])
            for severity, name in Severity.choices
        ]

    def extra_row_fields(self):
        return [
            (
                self[f"x{row}_severity"],
                self[f"x{row}_priority"],
                [self[f"x{row}_{kind}"] for kind in self.kinds],
            )
            for row in range(self.extra_rows)
        ]

    def targets(self) -> tuple[list[dict], dict[str, str]]:
        """The rows for the service, and where each row's errors belong on the form
        ("targets.3.restore" → "x0_restore")."""
        data = self.cleaned_data
        rows, field_map = [], {}

        def add(prefix: str, severity: str, priority: str) -> None:
            index = len(rows)
            rows.append(
                {
                    "severity": severity,
                    "priority": priority,
                    **{kind: data.get(f"{prefix}_{kind}", "") for kind in self.kinds},
                }
            )
            for kind in self.kinds:
                field_map[f"targets.{index}.{kind}"] = f"{prefix}_{kind}"
            field_map[f"targets.{index}"] = (
                f"{prefix}_priority" if priority else f"t_{severity}_first_response"
            )

        for severity in Severity.values:
            add(f"t_{severity}", severity, "")
        for row in range(self.extra_rows):
            severity, priority = data.get(f"x{row}_severity"), data.get(f"x{row}_priority")
            if severity and priority:
                add(f"x{row}", severity, priority)
        return rows, field_map

    def clean(self):
        data = super().clean()
        for row in range(self.extra_rows):
            severity, priority = data.get(f"x{row}_severity"), data.get(f"x{row}_priority")
            has_targets = any(data.get(f"x{row}_{kind}") for kind in self.kinds)
            if (has_targets or severity or priority) and not (severity and priority):
                self.add_error(
                    f"x{row}_priority" if severity else f"x{row}_severity",
                    _("Choose both the class and the priority, or leave the row empty."),
                )
        return data


class DepartmentPolicyForm(forms.Form):
    policy = forms.TypedChoiceField(
        label=_("Service level policy"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [("", _("The default policy"))] + [
            (p.pk, p.name) for p in policies
        ]


class NotFaultForm(forms.Form):
    minutes = forms.CharField(
        label=_("Billable minutes"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "size": 6}),
        help_text=_("Leave empty to bill the business time the ticket has used."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean_minutes(self):
        from pishkhan.core.persian import to_ascii_digits

        text = to_ascii_digits(self.cleaned_data["minutes"] or "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(_("Give the minutes as a whole number."))
        return int(text)


# --- support rules, the customer's side ----------------------------------------------------

DIFFERENT_REASON_MAX = 1000


def service_choice_label(service) -> str:
    text = f"{service.get_kind_display()}: {service.identifier}"
    return f"{text} ({service.label})" if service.label else text


class PortalTicketForm(NewTicketForm):
    """A customer's request with the rules' own answers: which of their services it is about
    (T-8) and, once warned that it repeats an open ticket, why it is another request (T-4)."""

    different_reason = forms.CharField(
        label=_("Why is this a different request?"),
        required=False,
        max_length=DIFFERENT_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Shown in the duplicate panel, not among the request's own fields.
    RULE_FIELDS = ("different_reason",)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {s.pk: s for s in services}
        if not self.services:
            return
        verified = [(s.pk, service_choice_label(s)) for s in services if s.is_verified]
        # Pending claims stay selectable but set apart: choosing one explains why support
        # waits for the verification, which is clearer than an option that cannot be picked.
        pending = [
            (s.pk, f"{service_choice_label(s)} — {_('awaiting verification')}")
            for s in services
            if not s.is_verified
        ]
        choices: list = [("", _("Not about one of my services"))]
        if verified:
            choices.append((_("Verified"), verified))
        if pending:
            choices.append((_("Awaiting verification"), pending))
        self.fields["service"] = forms.TypedChoiceField(
            label=_("Service"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=choices,
            help_text=_("Support about a service goes only to its verified owner."),
        )
        self.order_fields(["service"])

    def clean_service(self):
        pk = self.cleaned_data.get("service")
        return self.services.get(pk) if pk is not None else None

    def request_fields(self):
        return [self[name] for name in self.fields if name not in self.RULE_FIELDS]


class ServiceRegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    identifier = forms.CharField(
        label=_("Domain, address or code"),
        max_length=253,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=_("For example example.ir, a server's IP address or a licence code."),
    )
    label = forms.CharField(label=_("Description"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        from pishkhan.accounts.models import ServiceKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ServiceKind.choices
        self.fields["kind"].initial = ServiceKind.DOMAIN


# --- support rules (staff side) ---------------------------------------------------------------
# Choices are callables so that this module need not import the policies app at load time.


def _mode_choices():
    from pishkhan.policies.models import Mode

    return Mode.choices


def _department_mode_choices():
    from pishkhan.policies.models import DepartmentMode

    return DepartmentMode.choices


def _currency_choices():
    from pishkhan.policies.models import Currency

    return Currency.choices


def _number_input(size: int = 8):
    return forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "size": size})


def _amount_input():
    return forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr", "size": 14})


def _plain_amount(amount, currency: str) -> str:
    """An amount as typed into a form: no grouping, whole Toman, dollars to the cent."""
    from decimal import Decimal

    places = Decimal("1") if currency == "IRT" else Decimal("0.01")
    return str(Decimal(amount).quantize(places))


FINE_KINDS = ("duplicate", "reopen", "incomplete", "not_persian", "wrong_priority")


class RuleSettingsForm(forms.Form):
    """The workspace's support rules. Labels and help texts (with the seed each default comes
    from) are the model's, so the page and the data say the same thing."""

    duplicates = forms.ChoiceField(choices=_mode_choices)
    persian_only = forms.ChoiceField(choices=_mode_choices)
    ownership_required = forms.BooleanField(required=False)
    incomplete_wait_hours = forms.CharField(max_length=8, widget=_number_input())
    suspend_on_unpaid_fine = forms.BooleanField(required=False)
    fine_currency = forms.ChoiceField(
        choices=_currency_choices,
        help_text=_(
            "Fines are charged in this currency: Toman in whole units, dollars to the cent."
        ),
    )
    fine_due_days = forms.CharField(
        max_length=4,
        widget=_number_input(4),
        help_text=_(
            "A charged fine is due this many days later; unpaid after that, it suspends new "
            "tickets."
        ),
    )
    fine_duplicate = forms.CharField(max_length=20, widget=_amount_input())
    fine_reopen = forms.CharField(max_length=20, widget=_amount_input())
    fine_incomplete = forms.CharField(max_length=20, widget=_amount_input())
    fine_not_persian = forms.CharField(max_length=20, widget=_amount_input())
    fine_wrong_priority = forms.CharField(max_length=20, widget=_amount_input())

    SWITCHES = (
        "duplicates",
        "persian_only",
        "ownership_required",
        "incomplete_wait_hours",
        "suspend_on_unpaid_fine",
    )
    MONEY = ("fine_currency", "fine_due_days")

    def __init__(self, *args, read_only: bool = False, **kwargs):
        from django.utils.text import capfirst

        from pishkhan.policies.models import RuleSettings, ViolationKind

        super().__init__(*args, **kwargs)
        kinds = dict(ViolationKind.choices)
        for name, field in self.fields.items():
            model_field = RuleSettings._meta.get_field(name)
            if name.startswith("fine_") and name.removeprefix("fine_") in kinds:
                field.label = _("Fine for: %(kind)s") % {"kind": kinds[name.removeprefix("fine_")]}
                # [002 r19] allows a fine per ticket but names no amount.
                field.help_text = _(
                    "In the fine currency: the default amount the finance unit charges for this "
                    "violation; they may change it per fine."
                )
            else:
                field.label = capfirst(model_field.verbose_name)
                if model_field.help_text:
                    field.help_text = model_field.help_text
            field.disabled = read_only

    @classmethod
    def initial_for(cls, rules) -> dict:
        initial = {
            name: getattr(rules, name) for name in (*cls.SWITCHES, "fine_currency", "fine_due_days")
        }
        for kind in FINE_KINDS:
            initial[f"fine_{kind}"] = _plain_amount(
                getattr(rules, f"fine_{kind}"), rules.fine_currency
            )
        return initial

    def switch_fields(self):
        return [self[name] for name in self.SWITCHES]

    def money_fields(self):
        return [self[name] for name in (*self.MONEY, *(f"fine_{k}" for k in FINE_KINDS))]


class DepartmentRulesForm(forms.Form):
    persian_only = forms.ChoiceField(label=_("Persian only"), choices=_department_mode_choices)
    duplicates = forms.ChoiceField(label=_("Duplicate requests"), choices=_department_mode_choices)
    service_required = forms.BooleanField(
        label=_("A verified service is required"),
        required=False,
        help_text=_(
            "Every request to this department must name one of the customer's verified services."
        ),
    )

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if form_id:
            # One row of a table per department: the inputs sit in cells, outside the <form>.
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class FineChargeForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=20, widget=_amount_input())
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)
    due_days = forms.CharField(
        label=_("Days to pay"), max_length=4, widget=_number_input(4), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    @classmethod
    def initial_for(cls, rules, kind: str) -> dict:
        return {
            "amount": _plain_amount(rules.fine_amount(kind), rules.fine_currency),
            "currency": rules.fine_currency,
            "due_days": rules.fine_due_days,
        }


class FinePaidForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("E.g. the payment's reference number."),
    )


class FineWaiveForm(forms.Form):
    note = forms.CharField(label=_("Why is it waived?"), max_length=500)


class StaffServiceRegisterForm(ServiceRegisterForm):
    """Staff register a service on a customer's behalf: the customer they picked rides along."""

    customer = forms.IntegerField(widget=forms.HiddenInput)


class ServiceVerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Documents checked"),
        max_length=500,
        help_text=_("E.g. national ID card and the domain's registrant e-mail matched."),
    )


class ServiceUnverifyForm(forms.Form):
    note = forms.CharField(
        label=_("Why is the verification withdrawn?"),
        max_length=500,
        help_text=_("E.g. the service changed hands."),
    )


def _ticket_number(text: str) -> int:
    from pishkhan.core.persian import to_ascii_digits

    cleaned = to_ascii_digits(text or "").strip().removeprefix("#").strip()
    if not cleaned.isdigit() or len(cleaned) > 18:
        raise ValidationError(_("Give a ticket number, e.g. 12."))
    return int(cleaned)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into ticket number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "size": 8}),
        help_text=_(
            "This ticket closes and its messages appear on that one; a repeat by the same "
            "customer is recorded as a duplicate."
        ),
    )

    def clean_into(self):
        return _ticket_number(self.cleaned_data["into"])


class CloseWithReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Close because"),
        choices=[
            ("incomplete", _("Required information missing")),
            ("wrong_information", _("Wrong information")),
        ],
        widget=forms.RadioSelect,
        initial="incomplete",
    )
    note = forms.CharField(
        label=_("What is missing or wrong"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The customer reads this; the request is recorded as a violation."),
    )


class OutOfScopeForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it outside the support's scope?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        # [002 r5] what is outside the scope, [002 r7] answered as a billable extra service.
        help_text=_(
            "E.g. a problem in the customer's own CMS. The SLA stops; any answer is a "
            "billable extra service."
        ),
    )


class TimeEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of work"),
        choices=[
            ("work", _("Work")),
            ("extra_service", _("Extra service")),
            ("datacentre_visit", _("Data-centre visit")),
        ],
        initial="work",
        # [002 r7, r11]
        help_text=_("Extra services and data-centre visits are always billable."),
    )
    minutes = forms.CharField(label=_("Minutes"), max_length=8, widget=_number_input(6))
    billable = forms.BooleanField(label=_("Billable"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class InstallationForm(forms.Form):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    module = forms.CharField(label=_("Module"), max_length=120)
    minutes = forms.CharField(label=_("Minutes"), max_length=8, widget=_number_input(6))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s.pk, s.identifier) for s in services]
        # [002 r6]
        self.fields["service"].help_text = _(
            "The first installation of a module on a service is free; a repeat is billable."
        )


class ScopedReplyForm(AgentReplyForm):
    """The reply box with the minutes an answer outside the support's scope took (T-9)."""

    minutes = forms.CharField(
        label=_("Minutes this answer took (billable extra service)"),
        max_length=8,
        required=False,
        widget=_number_input(6),
    )


class TicketPropertiesReasonForm(TicketPropertiesForm):
    """The properties form with the reason for lowering a priority the customer chose (T-12)."""

    reason = forms.CharField(
        label=_("Reason for a lower priority (records a violation)"),
        max_length=500,
        required=False,
        # [002 r14]
        help_text=_("Only when lowering the priority: why the customer's choice was too high."),
    )


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)


class InvitationAcceptForm(forms.Form):
    """Taking a seat one was invited to: with the password of one's login, or, for a person new
    to Pishkhan, with a name and a password of one's own choosing."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), max_length=128
    )

    def __init__(self, *args, new_login: bool, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_login = new_login
        self.email = email
        if new_login:
            self.fields["password"].label = _("Choose a password")
            self.fields["password"].help_text = _("At least 8 characters, not only digits.")
        else:
            del self.fields["full_name"]
            self.fields["password"].label = _("Your Pishkhan password")

    # Checked here as well as in the service so that every mistake shows at once.
    def clean_full_name(self):
        if is_blank(self.cleaned_data["full_name"]):
            raise ValidationError(_("This field is required."))
        return self.cleaned_data["full_name"]

    def clean(self):
        cleaned = super().clean()
        if self.new_login and "password" in cleaned:
            person = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                validate_password(cleaned["password"], person)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
