"""A customer signs up, opens a ticket in a department with required fields, replies, attaches."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pishkhan.accounts.models import Customer, User
from pishkhan.core.jalali import JALALI_MONTHS_FA
from pishkhan.tickets.models import Attachment, Message, Ticket
from pishkhan.tickets.services import ticket_add_note, ticket_merge, ticket_reply
from tests.conftest import GOOD_FIELDS, PASSWORD, SEED_BODY

PDF = b"%PDF-1.4\n" + b"0" * 200


def test_customer_signs_up_and_lands_in_the_portal(alpha):
    client = alpha.client()
    response = client.post(
        "/signup/",
        {"name": "سارا نادری", "email": "Sara@Example.ir", "password": PASSWORD, "language": "fa"},
    )
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    user = User.objects.get(email="sara@example.ir", home_tenant=alpha.tenant)
    assert Customer.objects.get(user=user).tenant == alpha.tenant
    assert "سارا نادری".encode() in client.get("/tickets/").content


def test_signup_with_bad_input_explains_and_creates_nothing(alpha):
    before = User.objects.count()
    response = alpha.client().post(
        "/signup/", {"name": "‌ ", "email": "not-an-email", "password": "123", "language": "fa"}
    )
    assert response.status_code == 200
    assert response.content.count(b'class="field-error"') >= 3
    assert User.objects.count() == before


def test_same_email_can_be_a_customer_of_two_tenants(alpha, beta):
    response = beta.client().post(
        "/signup/",
        {"name": "علی", "email": alpha.customer.email, "password": PASSWORD, "language": "fa"},
    )
    assert response.status_code == 302
    assert User.objects.filter(email=alpha.customer.email).count() == 2


def test_new_ticket_form_shows_the_departments_own_fields(alpha):
    page = alpha.client(alpha.customer_user).get(f"/tickets/new/?department={alpha.department.pk}")
    assert "دامنه سرویس".encode() in page.content
    assert b'name="field_server_ip"' in page.content


def test_missing_required_field_is_refused_and_nothing_is_written(alpha):
    before = Ticket.objects.count(), Message.objects.count()
    response = alpha.client(alpha.customer_user).post(
        "/tickets/new/",
        {
            "department": alpha.department.pk,
            "subject": "سرور قطع است",
            "body": SEED_BODY,
            "priority": "urgent",
            "field_domain": "example.ir",
            "field_server_ip": "999.1.1.1",
        },
    )
    assert response.status_code == 200
    assert b"field-error" in response.content
    assert (Ticket.objects.count(), Message.objects.count()) == before


def test_customer_opens_a_ticket_with_an_attachment_and_sees_it(alpha):
    client = alpha.client(alpha.customer_user)
    response = client.post(
        "/tickets/new/",
        {
            "department": alpha.department.pk,
            "subject": "سرور قطع است",
            "body": SEED_BODY,
            "priority": "urgent",
            "field_domain": "Example.IR",
            "field_server_ip": "۱۸۵.۸.۱۷۲.۱۰",
            "attachments": [SimpleUploadedFile("گزارش.pdf", PDF, content_type="application/pdf")],
        },
    )
    ticket = Ticket.objects.get(tenant=alpha.tenant, subject="سرور قطع است")
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.number}/"
    assert ticket.fields == {"domain": "example.ir", "server_ip": "185.8.172.10"}
    assert ticket.priority == "urgent" and ticket.channel == "portal"
    page = client.get(response["Location"])
    assert "گزارش.pdf".encode() in page.content
    attachment = Attachment.objects.get(message__ticket=ticket)
    download = client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_executable_renamed_as_pdf_is_refused(alpha):
    response = alpha.client(alpha.customer_user).post(
        f"/tickets/{alpha.ticket.number}/",
        {
            "body": "پیوست",
            "attachments": [SimpleUploadedFile("a.pdf", b"MZ\x90\x00" * 10)],
        },
    )
    assert response.status_code == 200 and b"alert-error" in response.content
    assert not Attachment.objects.filter(message__ticket=alpha.ticket).exists()


def test_customer_sees_agent_reply_but_never_the_note(alpha):
    ticket_add_note(
        tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="یادداشت محرمانه کارشناس"
    )
    ticket_reply(
        tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="پاسخ عمومی کارشناس"
    )
    page = alpha.client(alpha.customer_user).get(f"/tickets/{alpha.ticket.number}/")
    assert "پاسخ عمومی کارشناس".encode() in page.content
    assert "یادداشت محرمانه".encode() not in page.content


def test_a_merged_request_is_read_where_its_conversation_goes_on(alpha):
    # given a second request of the customer, answered and noted on, merged into the first
    repeat = alpha.submit("دوباره: خطای ۵۰۲ روی سایت", body="سایت هنوز خطای ۵۰۲ می‌دهد.")
    ticket_reply(tenant=alpha.tenant, ticket=repeat, actor=alpha.agent, body="در حال بررسی هستیم")
    ticket_add_note(tenant=alpha.tenant, ticket=repeat, actor=alpha.agent, body="یادداشت محرمانه")
    ticket_merge(tenant=alpha.tenant, ticket=repeat, into=alpha.ticket, actor=alpha.agent)
    client = alpha.client(alpha.customer_user)
    # when the customer follows the merged request to the ticket it continues in
    moved = client.get(f"/tickets/{repeat.number}/").content.decode()
    assert f'href="/tickets/{alpha.ticket.number}/"' in moved
    page = client.get(f"/tickets/{alpha.ticket.number}/").content.decode()
    # then their request and its answer are there, marked as from the merged ticket
    assert "سایت هنوز خطای ۵۰۲ می‌دهد." in page
    assert "در حال بررسی هستیم" in page
    assert "merged-from" in page
    # and the staff's note is not
    assert "یادداشت محرمانه" not in page


def test_note_attachment_is_not_served_to_the_customer(alpha):
    note = ticket_add_note(
        tenant=alpha.tenant,
        ticket=alpha.ticket,
        actor=alpha.agent,
        body="لاگ",
        files=[SimpleUploadedFile("log.txt", b"secret")],
    )
    attachment = note.attachments.get()
    assert (
        alpha.client(alpha.customer_user).get(f"/attachments/{attachment.pk}/").status_code == 404
    )
    assert alpha.client(alpha.agent).get(f"/attachments/{attachment.pk}/").status_code == 200


def test_customer_reply_is_added_and_reopens(alpha):
    ticket_reply(tenant=alpha.tenant, ticket=alpha.ticket, actor=alpha.agent, body="پاسخ")
    client = alpha.client(alpha.customer_user)
    response = client.post(f"/tickets/{alpha.ticket.number}/", {"body": "هنوز قطع است"})
    assert response.status_code == 302
    alpha.ticket.refresh_from_db()
    assert alpha.ticket.status == "open"
    assert alpha.ticket.messages.filter(body="هنوز قطع است", author_customer=alpha.customer)


def test_customer_cannot_open_another_customers_ticket(alpha):
    other = alpha.client()
    other.post(
        "/signup/", {"name": "دیگری", "email": "other@x.ir", "password": PASSWORD, "language": "fa"}
    )
    assert other.get(f"/tickets/{alpha.ticket.number}/").status_code == 404


def test_portal_is_persian_rtl_with_jalali_dates_and_english_on_request(alpha):
    client = alpha.client(alpha.customer_user)
    page = client.get("/tickets/").content.decode()
    assert 'dir="rtl"' in page and "۱" in page  # ticket number in Persian digits
    assert any(month in page for month in JALALI_MONTHS_FA)
    client.post("/language/", {"language": "en", "next": "/tickets/"})
    alpha.customer_user.refresh_from_db()
    assert alpha.customer_user.language == "en"
    page = client.get("/tickets/").content.decode()
    assert 'dir="ltr"' in page and "My tickets" in page


def test_password_reset_mail_links_to_this_tenant_only(alpha, beta):
    from django.core import mail

    alpha.client().post("/password-reset/", {"email": beta.customer.email})
    assert mail.outbox == []
    alpha.client().post("/password-reset/", {"email": alpha.customer.email})
    assert len(mail.outbox) == 1 and alpha.host in mail.outbox[0].body
    link = next(line for line in mail.outbox[0].body.splitlines() if "password-reset" in line)
    path = link.split(alpha.host, 1)[1]
    client = alpha.client()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "tazeh-ramz-1405", "new_password2": "tazeh-ramz-1405"},
    )
    assert response.status_code == 302
    assert (
        alpha.client()
        .post("/login/", {"email": alpha.customer.email, "password": "tazeh-ramz-1405"})
        .status_code
        == 302
    )
    # the same link does nothing on beta's host
    assert beta.client().get(path, follow=True).context["validlink"] is False


def test_login_with_wrong_password_says_so(alpha):
    response = alpha.client().post("/login/", {"email": alpha.customer.email, "password": "x"})
    assert response.status_code == 200 and b"alert-error" in response.content


def test_good_fields_constant_is_what_the_fixture_used(alpha):
    assert alpha.ticket.fields == GOOD_FIELDS


def test_a_password_like_ones_own_address_is_refused_in_persian(alpha):
    # given a customer whose address is sara.naderi@example.ir
    before = User.objects.count()
    response = alpha.client().post(
        "/signup/",
        {
            "name": "سارا نادری",
            "email": "sara.naderi@example.ir",
            "password": "saranaderi",
            "language": "fa",
        },
    )
    # then the password is refused for being like the address, in the product's Persian
    assert response.status_code == 200
    assert "این گذرواژه بیش از اندازه به ایمیل شبیه است." in response.content.decode()
    assert User.objects.count() == before


def test_a_short_password_is_told_its_length_in_persian_digits(alpha):
    response = alpha.client().post(
        "/signup/",
        {"name": "سارا نادری", "email": "sara@example.ir", "password": "ab1", "language": "fa"},
    )
    assert response.status_code == 200
    assert "این گذرواژه کوتاه است: دست‌کم ۸ نویسه لازم است." in response.content.decode()
