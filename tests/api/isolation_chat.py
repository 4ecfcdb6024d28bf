"""Cross-tenant cases of the live-chat API routes (merged into tests/api/test_isolation.py)."""

from pishkhan.chat.selectors import chat_settings_get
from tests.api.helpers import send
from tests.web import routes_chat

PATH_CASES: dict = {
    ("GET", "/chats/{chat_id}"): None,
    ("GET", "/chats/{chat_id}/transcript"): None,
    ("POST", "/chats/{chat_id}/convert"): {"subject": "ربوده"},
}


def _chats_list(client, alpha, beta, beta_only):
    body = send(client, "GET", "/chats?page_size=100").json()
    assert beta_only.area_values["chat_id"] not in {item["id"] for item in body["items"]}
    # beta's visitor's words find nothing on alpha
    assert send(client, "GET", "/chats?q=بتا").json()["count"] == 0


def _settings_detail(client, alpha, beta, beta_only):
    response = send(client, "GET", "/chat-settings")
    assert response.status_code == 200
    assert response.json()["allowed_origins"] == []


def _settings_change(client, alpha, beta, beta_only):
    # beta's department cannot become alpha's default
    response = send(
        client,
        "PATCH",
        "/chat-settings",
        {"default_department_id": beta_only.department.pk},
    )
    assert response.status_code == 404, response.content
    assert chat_settings_get(tenant=beta.tenant).allowed_origins == ["https://beta.example.ir"]


COLLECTION_CASES: dict = {
    ("GET", "/chats"): _chats_list,
    ("GET", "/chat-settings"): _settings_detail,
    ("PATCH", "/chat-settings"): _settings_change,
}


def beta_objects(beta) -> dict:
    from pishkhan.chat.services import chat_settings_update

    objects = routes_chat.beta_objects(beta)
    chat_settings_update(
        tenant=beta.tenant, actor=beta.owner, allowed_origins=["https://beta.example.ir"]
    )
    return {"chat_id": objects["chat"]}
