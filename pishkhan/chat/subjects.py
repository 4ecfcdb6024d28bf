"""Chats as subjects that quality scores and surveys (quality asks its registry; it never
imports us). A chat's subject id is its id."""

from django.urls import reverse

from pishkhan.core.jalali import format_datetime


def _get(*, tenant, pk):
    from pishkhan.chat.selectors import chat_get

    return chat_get(tenant=tenant, pk=pk)


def _get_many(tenant, ids: list[int]) -> dict:
    from pishkhan.chat.models import Chat

    chats = Chat.objects.for_tenant(tenant).filter(pk__in=ids).select_related("visitor", "tenant")
    return {chat.pk: chat for chat in chats}


def _title(chat, language: str = "fa") -> str:
    when = format_datetime(chat.started_at, language=language, tz=chat.tenant.time_zone)
    return f"{chat.visitor} · {when}"


def register(register_subject) -> None:
    register_subject(
        "chat",
        get=_get,
        title=_title,
        agent_of=lambda chat: chat.agent,
        url=lambda chat: reverse("web:chat_detail", args=[chat.pk]),
        department_of=lambda chat: chat.department,
        is_finished=lambda chat: chat.status == "ended",
        get_many=_get_many,
    )
