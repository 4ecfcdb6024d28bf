"""Isolation cases of the live-chat pages (merged into tests/web/test_isolation.py)."""

ROUTES: dict = {
    "chat_workspace": {},
    "chat_live": {},
    "chat_history": {},
    "chat_settings": {},
    "chat_seat": {"user_id": "chat_user"},
    "chat_detail": {"pk": "chat"},
    "chat_convert": {"pk": "chat"},
    "chat_attach": {"pk": "chat"},
    "chat_email": {"pk": "chat"},
    "chat_end": {"pk": "chat"},
}
POST_ROUTES: tuple = ("chat_seat", "chat_convert", "chat_attach", "chat_email", "chat_end")


def beta_objects(beta) -> dict:
    """A chat of beta's, taken by beta's agent."""
    from pishkhan.chat.services import chat_accept, chat_start, visitor_identify
    from tests.chat.conftest import online, open_all_hours

    open_all_hours(beta.tenant)
    online(beta, beta.agent)
    visitor = visitor_identify(
        tenant=beta.tenant, key=None, name="مهمان بتا", email="guest@beta.example"
    )
    chat = chat_start(tenant=beta.tenant, visitor=visitor, text="سلام")
    chat_accept(tenant=beta.tenant, chat=chat, actor=beta.agent)
    return {"chat": chat.pk, "chat_user": beta.agent.pk}
