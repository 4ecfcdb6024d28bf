"""The widget's HTTP side as a customer's website uses it: its config, the origin allow-list
(CORS), file uploads within the attachment limits, the offline form that files a ticket
through the one intake path, the rating and the transcript after a chat."""

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from pishkhan.chat.models import ChatAttachment
from pishkhan.chat.selectors import chat_settings_get
from pishkhan.chat.services import chat_end, chat_settings_update, chat_start, visitor_identify
from pishkhan.policies.models import Violation
from pishkhan.policies.services import department_rules_update
from pishkhan.tickets.models import Channel, Ticket
from pishkhan.tickets.services import department_create
from tests.chat.conftest import VISITOR_HELLO, VISITOR_NAME, online, open_all_hours
from tests.conftest import GOOD_FIELDS

SHOP = "https://shop.alpha-example.ir"
STRANGER = "https://evil.example.com"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Seed 000: the virtual secretary's customers talk to a supervisor by online chat.
SEED_CHAT = (
    "هرگونه ارتباط کاربر با کارشناس از طریق گفتگوی آنلاین با سوپروایزر خواهد بود. "
    "لطفاً برای خط تخصیص داده شده با من تماس بگیرید."
)
# Seed 004 is in Slovenian: a request no Persian-only department takes.
SEED_NOT_PERSIAN = "Enota za kakovost vam zagotavlja svojo storitev prek svojega spletnega mesta."


@pytest.fixture
def shop(alpha):
    """alpha's widget is on its shop's site."""
    chat_settings_update(tenant=alpha.tenant, actor=alpha.owner, allowed_origins=[SHOP])
    return alpha


def _site(world, origin: str | None = SHOP) -> Client:
    """A browser on a page of `origin` calling the widget endpoints of `world`'s host."""
    headers = {"HTTP_HOST": world.host}
    if origin:
        headers["HTTP_ORIGIN"] = origin
    return Client(**headers)


def _post_json(client: Client, path: str, body: dict):
    return client.post(path, json.dumps(body), content_type="application/json")


def _offline_body(world, **overrides) -> dict:
    body = {
        "name": VISITOR_NAME,
        "email": "maryam@example.ir",
        "phone": "",
        "department": world.department.pk,
        "subject": "درخواست گفتگوی آنلاین",
        "body": SEED_CHAT,
        "fields": GOOD_FIELDS,
        "language": "fa",
    }
    return {**body, **overrides}


def _chat_of(world, email="maryam@example.ir"):
    """A visitor's chat, taken by nobody yet (the tenant open, its agent online)."""
    open_all_hours(world.tenant)
    online(world, world.agent)
    visitor = visitor_identify(
        tenant=world.tenant, key=None, name=VISITOR_NAME, email=email, language="fa"
    )
    chat = chat_start(tenant=world.tenant, visitor=visitor, text=VISITOR_HELLO)
    return visitor, chat


# --- the script and the config ---------------------------------------------------------------


def test_script_is_served_from_the_tenant_host_for_any_site(shop):
    # given a page of any site that loads the snippet (a <script> needs no CORS)
    response = _site(shop, origin=None).get("/chat/widget.js")
    # then the widget script comes back as JavaScript
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"document.currentScript" in response.content


def test_config_for_an_allowed_site_is_persian_with_its_departments(shop):
    # given no agent online and a Persian page on the shop's site
    response = _site(shop).get("/chat/widget/config/?lang=fa")
    # then the widget gets Persian words, RTL, the departments and their fields, offline
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in response["Vary"]
    body = response.json()
    assert body["enabled"] is True and body["online"] is False
    assert body["dir"] == "rtl" and body["language"] == "fa"
    assert body["strings"]["start"] == "شروع گفت‌وگو"
    (department,) = body["departments"]
    assert department["name"] == "پشتیبانی فنی"
    assert [f["label"] for f in department["fields"]] == ["دامنه سرویس", "آی‌پی سرور"]
    assert body["css"].startswith("http://alpha.localhost/static/chat/widget")


def test_config_in_english_is_ltr(shop):
    body = _site(shop).get("/chat/widget/config/?lang=en").json()
    assert body["dir"] == "ltr"
    assert body["strings"]["start"] == "Start chat"
    assert body["departments"][0]["name"] == "Technical"


def test_config_is_online_when_an_agent_with_a_free_seat_is_online(open_alpha):
    # given alpha open around the clock and an agent online
    online(open_alpha, open_alpha.agent)
    # when the widget loads on alpha's own pages
    body = _site(open_alpha, origin="http://alpha.localhost").get("/chat/widget/config/").json()
    # then it offers a chat
    assert body["online"] is True
    assert body["departments"][0]["online"] is True


def test_config_of_a_switched_off_chat_says_so(shop):
    chat_settings_update(tenant=shop.tenant, actor=shop.owner, enabled=False)
    assert _site(shop).get("/chat/widget/config/").json() == {"enabled": False}


def test_config_recognises_a_returning_visitor(shop):
    # given a visitor who chatted before and kept their key
    visitor, chat = _chat_of(shop)
    # when their widget loads again
    body = _site(shop).get(f"/chat/widget/config/?visitor={visitor.key}").json()
    # then they are greeted by name and their chat is resumed
    assert body["visitor"]["name"] == VISITOR_NAME
    assert body["visitor"]["chat"] == chat.key


def test_config_query_count_does_not_grow_with_departments(shop):
    # given several departments and nobody online
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert _site(shop).get("/chat/widget/config/").status_code == 200
        return len(queries)

    before = count()
    for n in range(3):
        department_create(tenant=shop.tenant, actor=shop.owner, name=f"واحد {n}")
    # then the config costs the same queries
    assert count() == before


# --- origins ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/chat/widget/config/"),
        ("post", "/chat/widget/offline/"),
        ("post", "/chat/widget/upload/"),
        ("post", "/chat/widget/rate/"),
        ("post", "/chat/widget/transcript/"),
    ],
)
def test_site_not_on_the_list_is_refused_in_both_languages(shop, method, path):
    # given a page of a site alpha never listed
    client = _site(shop, origin=STRANGER)
    # when it calls a widget endpoint
    response = getattr(client, method)(path)
    # then 403, with no CORS header (its page cannot even read the answer)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    error = response.json()["error"]
    assert error["code"] == "origin_not_allowed"
    assert "گفت‌وگوی آنلاین" in error["message_fa"]
    assert "live chat" in error["message_en"]


def test_preflight_of_an_allowed_site_is_answered(shop):
    response = _site(shop).options(
        "/chat/widget/offline/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]


def test_preflight_of_another_site_is_refused(shop):
    response = _site(shop, origin=STRANGER).options("/chat/widget/offline/")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("origin", ["null", "file://", "https://shop.alpha-example.ir.evil.com"])
def test_lookalike_and_opaque_origins_are_refused(shop, origin):
    response = _site(shop, origin=origin).get("/chat/widget/config/")
    assert response.status_code == 403


def test_listed_origin_matches_however_it_was_written(alpha):
    # given the admin typed the shop's address with capitals and its default port
    chat_settings_update(
        tenant=alpha.tenant,
        actor=alpha.owner,
        allowed_origins=["https://SHOP.alpha-example.ir:443"],
    )
    # when the browser sends the origin as browsers do
    response = _site(alpha, origin=SHOP).get("/chat/widget/config/")
    # then it is the same site
    assert response.status_code == 200
    assert (
        _site(alpha, origin="http://shop.alpha-example.ir").get("/chat/widget/config/").status_code
        == 403
    )  # another scheme is another origin


def test_origin_allowed_on_one_tenant_is_refused_by_another(shop, beta):
    # given the shop allowed by alpha only
    # when its page calls beta's widget
    response = _site(beta, origin=SHOP).get("/chat/widget/config/")
    # then beta refuses it
    assert response.status_code == 403


# --- the offline form ------------------------------------------------------------------------


def test_offline_form_files_a_chat_ticket_through_intake(shop):
    # given nobody online, a visitor on the shop's site fills the offline form
    response = _post_json(_site(shop), "/chat/widget/offline/", _offline_body(shop))
    # then a ticket is registered on the chat channel, with its department's fields
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == SHOP
    ticket = Ticket.objects.get(tenant=shop.tenant, number=response.json()["ticket"]["number"])
    assert ticket.channel == Channel.CHAT
    assert ticket.subject == "درخواست گفتگوی آنلاین"
    assert ticket.fields == GOOD_FIELDS
    assert ticket.customer.email == "maryam@example.ir"
    assert ticket.customer.name == VISITOR_NAME
    assert ticket.messages.get().body == SEED_CHAT


def test_offline_form_refused_by_a_persian_only_department_explains_in_both_languages(shop):
    # given a department that refuses requests not written in Persian
    department_rules_update(
        tenant=shop.tenant, department=shop.department, actor=shop.owner, persian_only="block"
    )
    tickets = Ticket.objects.for_tenant(shop.tenant).count()
    # when a known customer writes in another language
    body = _offline_body(
        shop, email=shop.customer.email, subject="Storitev", body=SEED_NOT_PERSIAN, language="en"
    )
    response = _post_json(_site(shop), "/chat/widget/offline/", body)
    # then nothing is filed, the refusal reads in both languages, the violation is recorded
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_persian"
    assert "فارسی" in error["message_fa"]
    assert "Persian only" in error["message_en"]
    assert Ticket.objects.for_tenant(shop.tenant).count() == tickets
    assert Violation.objects.filter(tenant=shop.tenant, kind="not_persian").exists()


def test_offline_form_names_each_missing_field(shop):
    body = _offline_body(shop, name=" ", email="", phone="", subject="", fields={})
    response = _post_json(_site(shop), "/chat/widget/offline/", body)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["name"] == ["این فیلد لازم است."]
    assert fields["email"] == ["یک ایمیل یا شمارهٔ تلفن بدهید تا بتوانیم پاسخ دهیم."]
    # every mistake in one answer, also those the intake path would have named
    assert set(fields) == {"name", "email", "subject", "fields.domain", "fields.server_ip"}


def test_offline_form_field_errors_speak_the_widget_language(shop):
    # given an English page, a request without the department's required fields
    body = _offline_body(shop, fields={}, language="en")
    response = _post_json(_site(shop), "/chat/widget/offline/", body)
    # then each field says what is wrong, in English, under a message in both languages
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["fields.domain"] == ["This field is required."]
    assert error["fields"]["fields.server_ip"] == ["This field is required."]
    assert error["message_fa"] != error["message_en"]
    # and a bad address of a new customer is named as the form's own field
    body = _offline_body(shop, email="not-an-email", language="en")
    response = _post_json(_site(shop), "/chat/widget/offline/", body)
    assert response.json()["error"]["fields"]["email"] == ["Enter a valid email address."]
    assert not Ticket.objects.filter(tenant=shop.tenant, channel=Channel.CHAT).exists()


def test_offline_form_to_another_tenants_department_is_refused(shop, beta):
    body = _offline_body(shop, department=beta.department.pk)
    response = _post_json(_site(shop), "/chat/widget/offline/", body)
    assert response.status_code == 400
    assert "department" in response.json()["error"]["fields"]
    assert not Ticket.objects.filter(channel=Channel.CHAT).exists()


def test_offline_form_of_a_switched_off_chat_is_refused(shop):
    chat_settings_update(tenant=shop.tenant, actor=shop.owner, enabled=False)
    response = _post_json(_site(shop), "/chat/widget/offline/", _offline_body(shop))
    assert response.status_code == 404
    assert not Ticket.objects.filter(channel=Channel.CHAT).exists()


def test_offline_form_with_a_broken_body_is_refused(shop):
    response = _site(shop).post(
        "/chat/widget/offline/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


# --- files -----------------------------------------------------------------------------------


def _upload(world, visitor, chat, files, origin=SHOP):
    return _site(world, origin=origin).post(
        "/chat/widget/upload/",
        {"visitor": visitor.key, "chat": chat.key, "file": files, "language": "en"},
    )


def test_visitor_uploads_a_file_into_their_chat_and_downloads_it(shop):
    # given a visitor in a chat
    visitor, chat = _chat_of(shop)
    # when they send a screenshot
    response = _upload(shop, visitor, chat, [SimpleUploadedFile("خطا.png", PNG)])
    # then it is stored on the chat and they can open it with their key
    assert response.status_code == 201, response.content
    (stored,) = response.json()["attachments"]
    assert stored["name"] == "خطا.png"
    assert ChatAttachment.objects.get(pk=stored["id"]).chat == chat
    download = _site(shop, origin=None).get(
        f"/chat/widget/files/{stored['id']}/?visitor={visitor.key}"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_upload_outside_the_limits_is_refused(shop):
    visitor, chat = _chat_of(shop)
    # a renamed program, a forbidden type, and a file over the tenant's limit
    shop.tenant.attachment_max_bytes = 100
    shop.tenant.save(update_fields=["attachment_max_bytes"])
    for upload, expected in [
        (SimpleUploadedFile("setup.png", b"MZ\x90\x00" * 10), "does not look like"),
        (SimpleUploadedFile("page.html", b"<script>alert(1)</script>"), "not accepted"),
        (SimpleUploadedFile("big.png", PNG + b"\x00" * 200), "larger than"),
    ]:
        response = _upload(shop, visitor, chat, [upload])
        assert response.status_code == 400
        assert expected in response.json()["error"]["fields"]["attachments"][0]
    too_many = [SimpleUploadedFile(f"{n}.png", PNG) for n in range(6)]
    response = _upload(shop, visitor, chat, too_many)
    assert response.status_code == 400
    assert not ChatAttachment.objects.exists()


def test_upload_into_someone_elses_chat_is_404(shop):
    _visitor, chat = _chat_of(shop)
    other = visitor_identify(tenant=shop.tenant, key=None, name="دیگری", language="fa")
    response = _upload(shop, other, chat, [SimpleUploadedFile("a.png", PNG)])
    assert response.status_code == 404
    assert not ChatAttachment.objects.exists()


def test_upload_into_an_ended_chat_is_refused(shop):
    visitor, chat = _chat_of(shop)
    chat_end(tenant=shop.tenant, chat=chat, by="visitor")
    response = _upload(shop, visitor, chat, [SimpleUploadedFile("a.png", PNG)])
    assert response.status_code == 400
    assert not ChatAttachment.objects.exists()


def test_staff_open_a_chat_file_from_the_workspace(shop):
    visitor, chat = _chat_of(shop)
    stored = _upload(shop, visitor, chat, [SimpleUploadedFile("a.png", PNG)]).json()
    url = f"/chat/widget/files/{stored['attachments'][0]['id']}/"
    assert shop.client(shop.agent).get(url).status_code == 200
    # a customer's portal login is not staff
    assert shop.client(shop.customer_user).get(url).status_code == 404


def test_file_needs_its_visitors_key(shop):
    visitor, chat = _chat_of(shop)
    stored = _upload(shop, visitor, chat, [SimpleUploadedFile("a.png", PNG)]).json()
    file_id = stored["attachments"][0]["id"]
    other = visitor_identify(tenant=shop.tenant, key=None, name="دیگری", language="fa")
    client = _site(shop, origin=None)
    assert client.get(f"/chat/widget/files/{file_id}/").status_code == 404
    assert client.get(f"/chat/widget/files/{file_id}/?visitor={other.key}").status_code == 404


# --- tenant isolation ------------------------------------------------------------------------


def test_visitor_key_of_beta_is_nobody_on_alpha(shop, beta):
    # given a visitor of beta with a chat and a file there
    chat_settings_update(tenant=beta.tenant, actor=beta.owner, allowed_origins=[SHOP])
    visitor, chat = _chat_of(beta)
    file_id = _upload(beta, visitor, chat, [SimpleUploadedFile("a.png", PNG)]).json()[
        "attachments"
    ][0]["id"]
    # when their key and ids are used on alpha's host
    config = _site(shop).get(f"/chat/widget/config/?visitor={visitor.key}").json()
    upload = _upload(shop, visitor, chat, [SimpleUploadedFile("b.png", PNG)])
    download = _site(shop, origin=None).get(f"/chat/widget/files/{file_id}/?visitor={visitor.key}")
    transcript = _post_json(
        _site(shop), "/chat/widget/transcript/", {"visitor": visitor.key, "chat": chat.key}
    )
    # then alpha knows neither the visitor, nor the chat, nor the file
    assert config["visitor"] is None
    assert upload.status_code == 404
    assert download.status_code == 404
    assert transcript.status_code == 404
    assert ChatAttachment.objects.filter(tenant=shop.tenant).count() == 0


# --- after the chat --------------------------------------------------------------------------


def test_visitor_rates_the_ended_chat_in_the_widget(open_alpha):
    # given a chat an agent answered, ended with a survey
    from pishkhan.quality.models import Survey
    from pishkhan.quality.services import survey_request, survey_url

    visitor, chat = _chat_of(open_alpha)
    chat_end(tenant=open_alpha.tenant, chat=chat, by="visitor")
    survey = Survey.objects.filter(
        tenant=open_alpha.tenant, subject_kind="chat", subject_id=chat.pk
    ).first() or survey_request(
        tenant=open_alpha.tenant, subject_kind="chat", subject_id=chat.pk, language="fa"
    )
    # when the widget sends 4 stars with the survey link the status frame carried
    response = _post_json(
        _site(open_alpha, origin="http://alpha.localhost"),
        "/chat/widget/rate/",
        {"survey": survey_url(survey), "score": 4, "comment": "خوب بود"},
    )
    # then the survey holds the answer
    assert response.status_code == 200, response.content
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "خوب بود")


def test_rating_out_of_range_or_of_another_tenant_is_refused(shop, beta):
    from pishkhan.quality.services import survey_request

    _visitor, chat = _chat_of(beta)
    survey = survey_request(
        tenant=beta.tenant, subject_kind="chat", subject_id=chat.pk, language="fa"
    )
    client = _site(shop)
    other = _post_json(client, "/chat/widget/rate/", {"survey": survey.token, "score": 5})
    assert other.status_code == 404
    _visitor, chat = _chat_of(shop, email="other@example.ir")
    mine = survey_request(tenant=shop.tenant, subject_kind="chat", subject_id=chat.pk)
    bad = _post_json(client, "/chat/widget/rate/", {"survey": mine.token, "score": 9})
    assert bad.status_code == 400
    assert "score" in bad.json()["error"]["fields"]


def test_visitor_has_the_transcript_mailed(shop, django_capture_on_commit_callbacks):
    # given a visitor's chat
    visitor, chat = _chat_of(shop)
    mail.outbox.clear()
    # when they ask for the transcript
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_json(
            _site(shop),
            "/chat/widget/transcript/",
            {"visitor": visitor.key, "chat": chat.key, "email": "", "language": "fa"},
        )
    # then it is mailed to the address they gave, with what was said
    assert response.status_code == 200, response.content
    (message,) = mail.outbox
    assert message.to == ["maryam@example.ir"]
    assert VISITOR_HELLO in message.body


def test_transcript_mails_are_limited_per_chat(shop):
    visitor, chat = _chat_of(shop)
    body = {"visitor": visitor.key, "chat": chat.key, "email": "maryam@example.ir"}
    answers = [
        _post_json(_site(shop), "/chat/widget/transcript/", body).status_code for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]


# --- the snippet page ------------------------------------------------------------------------


def test_admin_sees_the_snippet_to_copy(shop):
    # given alpha's owner
    response = shop.client(shop.owner).get("/agent/chats/widget/")
    # then the page shows the one line to copy, on alpha's host, and the allowed sites
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "&lt;script src=&quot;http://alpha.localhost/chat/widget.js&quot; async&gt;&lt;/script&gt;"
        in content
    )
    assert SHOP in content
    # and the widget itself runs on the page as a live preview
    assert '<script src="http://alpha.localhost/chat/widget.js" async></script>' in content


def test_snippet_page_is_for_admins_only(shop):
    assert shop.client(shop.agent).get("/agent/chats/widget/").status_code == 404
    assert shop.client(shop.customer_user).get("/agent/chats/widget/").status_code == 404


def test_test_page_exists_only_when_debugging(shop, settings):
    client = shop.client()
    assert client.get("/chat/widget/test-page/").status_code == 404
    settings.DEBUG = True
    response = client.get("/chat/widget/test-page/?lang=en")
    assert response.status_code == 200
    assert b'lang="en"' in response.content
    assert b"/chat/widget.js" in response.content


def test_settings_default_to_no_other_site(alpha):
    assert chat_settings_get(tenant=alpha.tenant).allowed_origins == []
    response = _site(alpha).get("/chat/widget/config/")
    assert response.status_code == 403


# Where pages send the browser's chat sockets. `pishkhan serve` serves them on a port of their
# own: a page the browser got straight from it points at that port of the same host; a page
# that came through the reverse proxy (which routes /ws/ there) points at its own origin.
SOCKET_PORT = 8001


def _desk(world, **headers) -> str:
    client = world.client(world.agent)
    return client.get("/agent/chats/", **headers).content.decode()


@override_settings(SOCKET_PORT=SOCKET_PORT)
def test_served_directly_the_widget_and_the_desk_open_sockets_on_the_socket_port(shop):
    config = _site(shop).get("/chat/widget/config/").json()
    assert config["socket"] == f"ws://alpha.localhost:{SOCKET_PORT}/ws/chat/visitor/"
    # the host's own port is replaced, not kept beside it
    on_port = Client(HTTP_HOST="alpha.localhost:8000", HTTP_ORIGIN=SHOP)
    config = on_port.get("/chat/widget/config/").json()
    assert config["socket"] == f"ws://alpha.localhost:{SOCKET_PORT}/ws/chat/visitor/"
    assert f'data-socket-origin="ws://alpha.localhost:{SOCKET_PORT}"' in _desk(shop)


@override_settings(
    SOCKET_PORT=SOCKET_PORT, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_through_the_proxy_sockets_stay_on_the_pages_origin(shop):
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    config = _site(shop).get("/chat/widget/config/", **proxied).json()
    assert config["socket"] == "wss://alpha.localhost/ws/chat/visitor/"
    assert 'data-socket-origin=""' in _desk(shop, **proxied)


def test_with_one_server_for_everything_sockets_are_on_the_pages_origin(shop):
    config = _site(shop).get("/chat/widget/config/").json()
    assert config["socket"] == "ws://alpha.localhost/ws/chat/visitor/"
    assert 'data-socket-origin=""' in _desk(shop)
