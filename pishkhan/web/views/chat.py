"""Live chat in the agent workspace: the agent's desk (/agent/chats/), one conversation, the
supervisor's board, finished chats (searchable), the chat settings, and handing a chat over
to a ticket or a mailbox. The conversation itself runs over the agent socket (small vanilla JS
in the templates); every page also works as plain HTML for what does not need to be live."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pishkhan.chat import selectors, services
from pishkhan.chat.models import ChatStatus
from pishkhan.chat.widget.urls import urls as widget_urls
from pishkhan.core.jalali import format_datetime
from pishkhan.tenancy.selectors import member_list
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.tickets.fields import field_label
from pishkhan.web.forms import DepartmentChoiceField, apply_errors
from pishkhan.web.views.access import admin_required, staff_required

PAGE_SIZE = 50
QUERY_MAX = 200


def _supervisor(request) -> bool:
    return selectors.is_supervisor(tenant=request.tenant, user=request.user)


def _supervisor_required(view):
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not _supervisor(request):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _chat_or_404(request, pk: int):
    chat = selectors.chat_get(tenant=request.tenant, pk=pk)
    if chat is None:
        raise Http404
    return chat


@staff_required
def workspace(request):
    """The agent's desk: their chats, offers waiting for them, and the queue."""
    tenant = request.tenant
    return render(
        request,
        "web/agent/chat/workspace.html",
        {
            "mine": list(selectors.chat_list_for_agent(tenant=tenant, agent=request.user)),
            "queue": list(
                selectors.chat_list_live(tenant=tenant).filter(status=ChatStatus.WAITING)
            ),
            "seat": selectors.seat_get(tenant=tenant, user=request.user),
            "is_supervisor": _supervisor(request),
        },
    )


class ConvertForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    department = DepartmentChoiceField(label=gettext_lazy("Department"), queryset=None)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        language = (translation.get_language() or "fa")[:2]
        self.fields["department"].queryset = ticket_selectors.department_list(tenant=tenant)
        self.department_fields = []
        for department in self.fields["department"].queryset:
            for spec in department.fields:
                name = f"field_{spec['key']}"
                if name not in self.fields:
                    self.fields[name] = forms.CharField(
                        label=field_label(spec, language) or spec["key"], required=False
                    )
                    self.department_fields.append(spec["key"])


class AttachForm(forms.Form):
    ticket = forms.IntegerField(label=gettext_lazy("Ticket number"), min_value=1)


class EmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)


def _detail_context(request, chat, **forms_given):
    tenant = request.tenant
    visitor = chat.visitor
    supervisor = _supervisor(request)
    if chat.status != ChatStatus.ENDED and chat.agent_id == request.user.pk:
        mode = "agent"
    elif chat.status != ChatStatus.ENDED and supervisor and request.GET.get("watch"):
        mode = "watch"
    else:
        mode = "read"
    chat_messages = list(selectors.chat_messages(tenant=tenant, chat=chat, staff=True))
    past_chats = list(
        selectors.chat_list_for_visitor(tenant=tenant, visitor=visitor, exclude=chat)[:20]
    )
    # In the workspace's time zone, as the socket script writes the lines that arrive live
    # (`data-time-zone`): a line reads the same time before and after a reload.
    language = (translation.get_language() or "fa")[:2]
    for message in chat_messages:
        message.shown_at = format_datetime(
            message.created_at, language=language, tz=tenant.time_zone
        )
    for past in past_chats:
        past.shown_at = format_datetime(past.started_at, language=language, tz=tenant.time_zone)
    return {
        "chat": chat,
        "mode": mode,
        "chat_messages": chat_messages,
        "last_seq": chat.last_seq,
        "visitor": visitor,
        "past_chats": past_chats,
        "tickets": selectors.visitor_tickets(tenant=tenant, visitor=visitor),
        "canned": ticket_selectors.canned_reply_list(tenant=tenant),
        # The chat's own agent too (not offered): the chat may pass to another while the page
        # is open, and the page then offers the one it left.
        "agents": member_list(tenant=tenant, writers_only=True),
        "departments": ticket_selectors.department_list(tenant=tenant),
        "is_supervisor": supervisor,
        "convert_form": forms_given.get("convert_form")
        or ConvertForm(tenant=tenant, initial={"department": chat.department_id}),
        "attach_form": forms_given.get("attach_form") or AttachForm(),
        "email_form": forms_given.get("email_form") or EmailForm(initial={"email": visitor.email}),
    }


@staff_required
def chat_detail(request, pk: int):
    chat = _chat_or_404(request, pk)
    return render(request, "web/agent/chat/detail.html", _detail_context(request, chat))


def _act(request, chat, form, name: str, act):
    """Run a form's action on the chat page: `act()` (a service call) returns the message to
    show after redirecting; a refusal puts its errors beside the form, shown again with 400."""
    if form.is_valid():
        try:
            done = act()
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("web:chat_detail", pk=chat.pk)
    context = _detail_context(request, chat, **{name: form})
    return render(request, "web/agent/chat/detail.html", context, status=400)


@staff_required
@require_POST
def chat_convert(request, pk: int):
    chat = _chat_or_404(request, pk)
    form = ConvertForm(request.POST, tenant=request.tenant)

    def act():
        fields = {
            key: form.cleaned_data[f"field_{key}"]
            for key in form.department_fields
            if form.cleaned_data.get(f"field_{key}")
        }
        ticket = services.chat_convert_to_ticket(
            tenant=request.tenant,
            chat=chat,
            actor=request.user,
            department=form.cleaned_data["department"],
            subject=form.cleaned_data["subject"],
            fields=fields,
        )
        return _("Ticket #%(number)s opened with the transcript.") % {"number": ticket.number}

    return _act(request, chat, form, "convert_form", act)


@staff_required
@require_POST
def chat_attach(request, pk: int):
    chat = _chat_or_404(request, pk)
    form = AttachForm(request.POST)

    def act():
        ticket = ticket_selectors.ticket_get(
            tenant=request.tenant, number=form.cleaned_data["ticket"]
        )
        if ticket is None:
            raise ValidationError({"ticket": [_("Not found in this workspace.")]})
        services.chat_attach_to_ticket(
            tenant=request.tenant, chat=chat, actor=request.user, ticket=ticket
        )
        return _("The transcript was added to ticket #%(number)s.") % {"number": ticket.number}

    return _act(request, chat, form, "attach_form", act)


@staff_required
@require_POST
def chat_email(request, pk: int):
    chat = _chat_or_404(request, pk)
    form = EmailForm(request.POST)

    def act():
        services.chat_transcript_email(
            tenant=request.tenant, chat=chat, to=form.cleaned_data["email"]
        )
        return _("The transcript is on its way.")

    return _act(request, chat, form, "email_form", act)


@staff_required
@require_POST
def chat_end(request, pk: int):
    """Ending without the socket (the button works without JS too)."""
    chat = _chat_or_404(request, pk)
    try:
        services.chat_end(tenant=request.tenant, chat=chat, by="agent", actor=request.user)
    except services.ChatError as exc:
        messages.error(request, _(exc.message_en))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("web:chat_detail", pk=chat.pk)


@_supervisor_required
def chat_live(request):
    """The supervisor's board: every waiting and active chat, kept live by the socket."""
    return render(
        request,
        "web/agent/chat/live.html",
        {"chats": list(selectors.chat_list_live(tenant=request.tenant))},
    )


@staff_required
def chat_history(request):
    """Chats, newest first; `q` searches the conversation, the visitor's name and email."""
    query = (request.GET.get("q") or "").strip()[:QUERY_MAX]
    if query:
        chats = selectors.chat_search(tenant=request.tenant, query=query)
    else:
        chats = selectors.chat_list(tenant=request.tenant, status=request.GET.get("status", ""))
    page = Paginator(chats, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/agent/chat/history.html",
        {"page": page, "q": query, "query": urlencode({"q": query}) if query else ""},
    )


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Chat enabled"), required=False)
    allowed_origins = forms.CharField(
        label=gettext_lazy("Sites allowed to show the widget (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
        help_text=gettext_lazy(
            "For example https://shop.example.ir; this workspace's own address is always allowed."
        ),
    )
    greeting_fa = forms.CharField(
        label=gettext_lazy("Greeting (Persian)"), required=False, max_length=300
    )
    greeting_en = forms.CharField(
        label=gettext_lazy("Greeting (English)"), required=False, max_length=300
    )
    offer_seconds = forms.IntegerField(label=gettext_lazy("Seconds an agent has to accept"))
    default_capacity = forms.IntegerField(
        label=gettext_lazy("Chats an agent holds at once (default)")
    )
    default_department = DepartmentChoiceField(
        label=gettext_lazy("Department of new chats"), queryset=None, required=False
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_department"].queryset = ticket_selectors.department_list(tenant=tenant)


@admin_required
def chat_settings(request):
    tenant = request.tenant
    current = selectors.chat_settings_get(tenant=tenant)
    initial = {
        "enabled": current.enabled,
        "allowed_origins": "\n".join(current.allowed_origins),
        "greeting_fa": current.greeting_fa,
        "greeting_en": current.greeting_en,
        "offer_seconds": current.offer_seconds,
        "default_capacity": current.default_capacity,
        "default_department": current.default_department_id,
    }
    form = SettingsForm(request.POST or None, tenant=tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_settings_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Chat settings saved."))
            return redirect("web:chat_settings")
    return render(
        request,
        "web/agent/chat/settings.html",
        {"form": form, "seats": selectors.seat_list(tenant=tenant), "settings": current},
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def chat_seat(request, user_id: int):
    """One agent's capacity (empty: the workspace's default)."""
    from pishkhan.tenancy.selectors import member_get

    member = member_get(tenant=request.tenant, user_id=user_id)
    if member is None:
        raise Http404
    try:
        services.seat_update(
            tenant=request.tenant,
            actor=request.user,
            user=member.user,
            capacity=request.POST.get("capacity", "").strip(),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Capacity saved."))
    return redirect("web:chat_settings")


urls: list = [
    path("agent/chats/", workspace, name="chat_workspace"),
    path("agent/chats/live/", chat_live, name="chat_live"),
    path("agent/chats/history/", chat_history, name="chat_history"),
    path("agent/chats/settings/", chat_settings, name="chat_settings"),
    path("agent/chats/settings/seats/<int:user_id>/", chat_seat, name="chat_seat"),
    path("agent/chats/<int:pk>/", chat_detail, name="chat_detail"),
    path("agent/chats/<int:pk>/ticket/", chat_convert, name="chat_convert"),
    path("agent/chats/<int:pk>/attach/", chat_attach, name="chat_attach"),
    path("agent/chats/<int:pk>/email/", chat_email, name="chat_email"),
    path("agent/chats/<int:pk>/end/", chat_end, name="chat_end"),
    *widget_urls,
]
