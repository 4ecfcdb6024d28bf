"""The email channel in the agent workspace (C-1): the mailboxes a workspace connects, the log
of every message received with its raw original, a failed message tried again, and a
customer's address marked as working again after a bounce.

Mailboxes and the log are for owners and portal admins only (they hold IMAP credentials and
customers' raw mail); other staff get 404, as for any settings page they may not open. Marking
an address as working again is for any member who may write."""

from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts.selectors import customer_get
from pishkhan.accounts.services import customer_clear_email_failing
from pishkhan.mail import selectors
from pishkhan.mail.models import InboundStatus
from pishkhan.mail.services import mail_retry, mailbox_create, mailbox_delete, mailbox_update
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.web.forms import apply_errors
from pishkhan.web.views.access import admin_required, staff_required

PAGE_SIZE = 50
# Above the largest id a database column holds: no such row can exist (and SQLite cannot even
# bind the number).
MAX_ID = 2**63 - 1
# The headers an admin needs to tell what a message was and where it came from.
SUMMARY_HEADERS = (
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "Auto-Submitted",
    "Content-Type",
)
_HEADERS = BytesHeaderParser(policy=default_policy)


def _ltr(attrs: dict | None = None):
    return {"dir": "ltr", **(attrs or {})}


class MailboxForm(forms.Form):
    """What an admin types; the service checks it (address format and uniqueness, the
    department's workspace, IMAP credentials) and its errors are shown beside the fields."""

    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=254,
        widget=forms.EmailInput(attrs=_ltr()),
        help_text=gettext_lazy("The address customers write to, e.g. support@example.ir."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    department = forms.TypedChoiceField(
        label=gettext_lazy("Department"),
        coerce=int,
        help_text=gettext_lazy("New requests mailed to this address become its tickets."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    imap_host = forms.CharField(
        label=gettext_lazy("IMAP server"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs=_ltr()),
        help_text=gettext_lazy(
            "Leave empty when mail is delivered to Pishkhan; fill in to fetch it from this "
            "IMAP mailbox instead."
        ),
    )
    imap_port = forms.CharField(
        label=gettext_lazy("IMAP port"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs=_ltr({"inputmode": "numeric", "size": 6})),
    )
    imap_ssl = forms.BooleanField(label=gettext_lazy("IMAP over TLS"), required=False, initial=True)
    imap_user = forms.CharField(
        label=gettext_lazy("IMAP user"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs=_ltr({"autocomplete": "off"})),
    )
    imap_password = forms.CharField(
        label=gettext_lazy("IMAP password"),
        max_length=255,
        required=False,
        strip=False,
        # Never sent back to the browser: the stored password stays on the server.
        widget=forms.PasswordInput(
            render_value=False, attrs=_ltr({"autocomplete": "new-password"})
        ),
    )
    imap_folder = forms.CharField(
        label=gettext_lazy("IMAP folder"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs=_ltr()),
        help_text=gettext_lazy("Empty: INBOX."),
    )
    imap_done_folder = forms.CharField(
        label=gettext_lazy("Folder for processed mail"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs=_ltr()),
        help_text=gettext_lazy("Empty: a processed message is only flagged, not moved."),
    )

    def __init__(self, *args, tenant, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        language = (get_language() or "fa")[:2]
        self.fields["department"].choices = [("", "—")] + [
            (department.pk, department.label(language))
            for department in ticket_selectors.department_list(tenant=tenant, active_only=False)
        ]
        if editing:
            self.fields["imap_password"].help_text = _("Leave empty to keep the stored password.")

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        if not data["imap_port"].strip():
            # Empty: the port stays as it is (993 for a new mailbox).
            data.pop("imap_port")
        return data


def _mailbox_or_404(request, pk: int):
    mailbox = selectors.mailbox_get(tenant=request.tenant, pk=pk) if pk <= MAX_ID else None
    if mailbox is None:
        raise Http404
    return mailbox


def _inbound_or_404(request, pk: int):
    inbound = selectors.inbound_get(tenant=request.tenant, pk=pk) if pk <= MAX_ID else None
    if inbound is None:
        raise Http404
    return inbound


def _tenant_address(request) -> str:
    return f"{request.tenant.slug}@{selectors.inbound_host()}"


# --- mailboxes -------------------------------------------------------------------------------


@admin_required
def mailbox_list(request):
    return render(
        request,
        "web/agent/mail/mailboxes.html",
        {
            "mailboxes": selectors.mailbox_list(tenant=request.tenant),
            "tenant_address": _tenant_address(request),
        },
    )


@admin_required
def mailbox_edit(request, pk: int | None = None):
    mailbox = _mailbox_or_404(request, pk) if pk is not None else None
    initial = None
    if mailbox is not None:
        initial = {
            "address": mailbox.address,
            "name": mailbox.name,
            "department": mailbox.department_id,
            "is_active": mailbox.is_active,
            "imap_host": mailbox.imap_host,
            "imap_port": str(mailbox.imap_port),
            "imap_ssl": mailbox.imap_ssl,
            "imap_user": mailbox.imap_user,
            "imap_folder": mailbox.imap_folder,
            "imap_done_folder": mailbox.imap_done_folder,
        }
    form = MailboxForm(
        request.POST or None,
        initial=initial,
        tenant=request.tenant,
        editing=mailbox is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if mailbox is None:
                mailbox_create(
                    tenant=request.tenant, actor=request.user, **form.service_arguments()
                )
            else:
                mailbox_update(
                    tenant=request.tenant,
                    mailbox=mailbox,
                    actor=request.user,
                    **form.service_arguments(),
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Mailbox saved."))
            return redirect("web:mail_mailboxes")
    return render(
        request,
        "web/agent/mail/mailbox_form.html",
        {
            "form": form,
            "mailbox": mailbox,
            "tenant_address": _tenant_address(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@admin_required
@require_POST
def mailbox_remove(request, pk: int):
    mailbox = _mailbox_or_404(request, pk)
    try:
        mailbox_delete(tenant=request.tenant, mailbox=mailbox, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("web:mail_mailbox_edit", pk=mailbox.pk)
    messages.success(request, _("Mailbox removed. What it received stays in the log."))
    return redirect("web:mail_mailboxes")


# --- received mail ---------------------------------------------------------------------------


def _int_or_none(value) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@admin_required
def inbound_list(request):
    """Newest first, a page at a time: "older" continues after the last row shown (keyset), so
    mail arriving meanwhile neither repeats nor hides a row."""
    status = request.GET.get("status", "")
    if status not in InboundStatus.values:
        status = ""
    rows = selectors.inbound_list(tenant=request.tenant, status=status)
    before = _int_or_none(request.GET.get("before"))
    if before is not None:
        cursor = rows.filter(pk=before).values_list("received_at", flat=True).first()
        if cursor is not None:
            rows = rows.filter(Q(received_at__lt=cursor) | Q(received_at=cursor, pk__lt=before))
    page = list(rows[: PAGE_SIZE + 1])
    older = None
    if len(page) > PAGE_SIZE:
        page = page[:PAGE_SIZE]
        older = urlencode({**({"status": status} if status else {}), "before": page[-1].pk})
    return render(
        request,
        "web/agent/mail/inbound.html",
        {
            "rows": page,
            "status": status,
            "statuses": InboundStatus.choices,
            "older_query": older,
            "is_first_page": before is None,
            "status_query": urlencode({"status": status}) if status else "",
        },
    )


def header_summary(raw: bytes) -> list[tuple[str, str]]:
    """The message's main headers, decoded (RFC 2047) for reading. A message whose headers
    cannot be read shows none; its raw original is still there to download."""
    try:
        message = _HEADERS.parsebytes(raw)
    except Exception:  # noqa: BLE001 - a summary is a courtesy; the raw bytes are the record
        return []
    rows = []
    for name in SUMMARY_HEADERS:
        try:
            values = message.get_all(name) or []
            text = " ".join(" ".join(str(value).split()) for value in values)
        except Exception:  # noqa: BLE001 - one unreadable header does not hide the others
            text = ""
        if text:
            rows.append((name, text[:1000]))
    return rows


def _render_inbound(request, inbound):
    return render(
        request,
        "web/agent/mail/inbound_detail.html",
        {
            "inbound": inbound,
            "headers": header_summary(bytes(inbound.raw)),
            "can_retry": inbound.status == InboundStatus.FAILED and inbound.mailbox_id is not None,
        },
    )


@admin_required
def inbound_detail(request, pk: int):
    return _render_inbound(request, _inbound_or_404(request, pk))


@admin_required
def inbound_raw(request, pk: int):
    """The original exactly as received, for an admin to open in a mail client or to attach
    to a bug report."""
    inbound = _inbound_or_404(request, pk)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@admin_required
@require_POST
def inbound_retry(request, pk: int):
    inbound = _inbound_or_404(request, pk)
    try:
        row = mail_retry(tenant=request.tenant, inbound=inbound, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if row.status == InboundStatus.FAILED:
            messages.error(
                request,
                _("Tried again; it still could not be processed: %(detail)s")
                % {"detail": row.detail},
            )
        else:
            messages.success(
                request, _("Tried again: %(status)s.") % {"status": row.get_status_display()}
            )
    return redirect("web:mail_inbound_detail", pk=inbound.pk)


# --- a customer's address --------------------------------------------------------------------


@staff_required
@require_POST
def customer_email_restored(request, pk: int):
    """Staff know the address works again (the customer fixed their mailbox): mail to it is
    no longer reported as failing."""
    customer = customer_get(tenant=request.tenant, customer_id=pk) if pk <= MAX_ID else None
    if customer is None:
        raise Http404
    try:
        customer_clear_email_failing(
            tenant=request.tenant, customer=customer, actor=request.user, via="web"
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(email)s is marked as working again.") % {"email": customer.email}
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("web:queue")


urls: list = [
    path("agent/mail/", mailbox_list, name="mail_mailboxes"),
    path("agent/mail/new/", mailbox_edit, name="mail_mailbox_new"),
    path("agent/mail/<int:pk>/", mailbox_edit, name="mail_mailbox_edit"),
    path("agent/mail/<int:pk>/delete/", mailbox_remove, name="mail_mailbox_delete"),
    path("agent/mail/received/", inbound_list, name="mail_inbound"),
    path("agent/mail/received/<int:pk>/", inbound_detail, name="mail_inbound_detail"),
    path("agent/mail/received/<int:pk>/raw/", inbound_raw, name="mail_inbound_raw"),
    path("agent/mail/received/<int:pk>/retry/", inbound_retry, name="mail_inbound_retry"),
    path(
        "agent/customers/<int:pk>/email-restored/",
        customer_email_restored,
        name="mail_customer_email_restored",
    ),
]
