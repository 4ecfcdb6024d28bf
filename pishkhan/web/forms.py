"""Forms check the shape of input (types, choices, lengths) and show errors beside the fields.
Business rules live in the services; their ValidationErrors are shown with `apply_errors`."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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

    def clean_password(self):
        validate_password(self.cleaned_data["password"])
        return self.cleaned_data["password"]


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


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    password = forms.CharField(
        label=_("First password"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Only for a person new to Pishkhan; they can change it later."),
    )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the shop's order system."),
    )
