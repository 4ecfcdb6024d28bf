"""Chat jobs. They take ids and are safe to run twice (an expired offer that was already
answered or re-offered is left alone)."""

from django_tasks import task


@task()
def chat_offer_expire(chat_id: int, offer_round: int) -> None:
    from pishkhan.chat.models import Chat
    from pishkhan.chat.services import offer_expire

    chat = Chat.objects.select_related("tenant").filter(pk=chat_id).first()
    if chat is not None:
        offer_expire(tenant=chat.tenant, chat_id=chat_id, offer_round=offer_round)
