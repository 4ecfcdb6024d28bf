"""A seat is offered by invitation and taken by the person invited (P-1): an admin's form says
the same for every address, a login elsewhere is never put into a workspace without its
owner's consent, and the link is good once, for a week, on its own workspace only."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from pishkhan.accounts.models import User
from pishkhan.core import clock
from pishkhan.tenancy.models import Invitation, Membership
from tests.conftest import PASSWORD


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """An admin's invitation through the team page, its mail sent once it commits."""

    def post(world, email: str, role: str = "agent", name: str = ""):
        with django_capture_on_commit_callbacks(execute=True):
            return world.client(world.owner).post(
                "/agent/members/", {"email": email, "full_name": name, "role": role}
            )

    return post


def _link(email: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [email]]
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", message.body).group(1)


def test_the_form_answers_alike_for_a_login_elsewhere_and_for_a_new_address(alpha, beta, invite):
    # when alpha's owner invites beta's owner (a login elsewhere) and an unknown address
    elsewhere = invite(alpha, beta.owner.email, role="supervisor")
    unknown = invite(alpha, "nobody-yet@example.ir", role="supervisor")
    # then both answers are the same, and neither is given a seat
    assert elsewhere.status_code == unknown.status_code == 302
    page = alpha.client(alpha.owner).get("/agent/members/").content.decode()
    assert page.count("در انتظار پذیرش") == 2
    assert not Membership.objects.filter(tenant=alpha.tenant, user=beta.owner).exists()
    assert not User.objects.filter(email="nobody-yet@example.ir").exists()
    # and each address has a link of its own, in the workspace's language
    assert _link(beta.owner.email) != _link("nobody-yet@example.ir")
    assert "دعوت" in mail.outbox[0].subject


def test_a_login_elsewhere_takes_the_seat_with_its_own_password(alpha, beta, invite):
    invite(alpha, beta.owner.email, role="supervisor")
    link = _link(beta.owner.email)
    browser = alpha.client()
    # given the link opened: it asks for the login's password, not for a new one
    page = browser.get(link).content.decode()
    assert 'name="password"' in page and 'name="full_name"' not in page
    # when a wrong password is given, then nothing is taken
    wrong = browser.post(link, {"password": "not-the-password"})
    assert wrong.status_code == 400
    assert not Membership.objects.filter(tenant=alpha.tenant, user=beta.owner).exists()
    # when the right one is given, then the seat is theirs and they are in
    taken = browser.post(link, {"password": PASSWORD})
    assert taken.status_code == 302 and taken["Location"] == "/agent/"
    seat = Membership.objects.get(tenant=alpha.tenant, user=beta.owner)
    assert (seat.role, seat.is_active) == ("supervisor", True)
    assert browser.get("/agent/").status_code == 200
    # and the link is spent
    assert alpha.client().get(link).status_code == 404


def test_a_new_person_chooses_a_name_and_password(alpha, invite):
    invite(alpha, "sara@alpha.example", name="سارا")
    link = _link("sara@alpha.example")
    browser = alpha.client()
    page = browser.get(link).content.decode()
    assert 'name="full_name"' in page and 'value="سارا"' in page
    # a password of digits only is refused, in Persian, and nothing is made
    weak = browser.post(link, {"full_name": "سارا احمدی", "password": "12345678"})
    assert weak.status_code == 400 and "گذرواژه" in weak.content.decode()
    assert not User.objects.filter(email="sara@alpha.example").exists()
    # a good one makes the login and the seat
    taken = browser.post(link, {"full_name": "سارا احمدی", "password": PASSWORD})
    assert taken.status_code == 302
    sara = User.objects.get(email="sara@alpha.example", home_tenant__isnull=True)
    assert sara.full_name == "سارا احمدی"
    assert Membership.objects.filter(tenant=alpha.tenant, user=sara, role="agent").exists()
    login = alpha.client().post("/login/", {"email": "sara@alpha.example", "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/agent/"


def test_a_link_is_good_only_on_its_workspace_for_a_week_and_until_withdrawn(alpha, beta, invite):
    invite(alpha, "late@alpha.example")
    link = _link("late@alpha.example")
    # on another workspace's host it is nothing
    assert beta.client().get(link).status_code == 404
    # after a week it is nothing
    with time_machine.travel(clock.now() + timedelta(days=7, minutes=1), tick=False):
        assert alpha.client().get(link).status_code == 404
    # withdrawn by the owner, it is nothing
    invitation = Invitation.objects.get(tenant=alpha.tenant, email="late@alpha.example")
    withdrawn = alpha.client(alpha.owner).post(f"/agent/invitations/{invitation.pk}/withdraw/")
    assert withdrawn.status_code == 302
    assert alpha.client().get(link).status_code == 404
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_a_new_invitation_replaces_the_waiting_one(alpha, invite):
    invite(alpha, "twice@alpha.example")
    first = _link("twice@alpha.example")
    mail.outbox.clear()
    invite(alpha, "twice@alpha.example", role="supervisor")
    second = _link("twice@alpha.example")
    assert alpha.client().get(first).status_code == 404
    assert alpha.client().get(second).status_code == 200
    assert Invitation.objects.filter(tenant=alpha.tenant, email="twice@alpha.example").count() == 1


def test_someone_seated_here_is_not_invited_and_bad_addresses_are_refused(alpha, invite):
    seated = invite(alpha, alpha.agent.email)
    assert seated.status_code == 400 and b"field-error" in seated.content
    bad = invite(alpha, "not-an-address")
    assert bad.status_code == 400
    assert not Invitation.objects.exists() and mail.outbox == []


def test_agents_cannot_invite_nor_withdraw(alpha, invite):
    invite(alpha, "x@alpha.example")
    invitation = Invitation.objects.get()
    agent = alpha.client(alpha.agent)
    assert (
        agent.post("/agent/members/", {"email": "y@alpha.example", "role": "agent"}).status_code
        == 404
    )
    assert agent.post(f"/agent/invitations/{invitation.pk}/withdraw/").status_code == 404
    assert Invitation.objects.count() == 1


def test_one_workspace_cannot_withdraw_anothers_invitation(alpha, beta, invite):
    invite(beta, "b@beta.example")
    invitation = Invitation.objects.get(tenant=beta.tenant)
    response = alpha.client(alpha.owner).post(f"/agent/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_a_mail_server_that_fails_leaves_the_invitation_waiting_to_be_sent_again(
    alpha, invite, monkeypatch
):
    from pishkhan.accounts import invitations

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    # given a mail server that refuses the first invitation's mail
    monkeypatch.setattr(invitations, "send_mail", refused)
    response = invite(alpha, "later@alpha.example")
    # then the admin is not shown an error for what was stored, and the invitation waits
    assert response.status_code == 302
    assert Invitation.objects.filter(email="later@alpha.example").exists()
    assert mail.outbox == []
    # and once the server is back, inviting again sends a link that works
    monkeypatch.undo()
    invite(alpha, "later@alpha.example")
    assert alpha.client().get(_link("later@alpha.example")).status_code == 200


def test_a_link_withdrawn_while_its_page_is_open_is_told_so(alpha, invite):
    invite(alpha, "open-tab@alpha.example")
    link = _link("open-tab@alpha.example")
    browser = alpha.client()
    assert browser.get(link).status_code == 200
    # when the owner withdraws it before the invitee sends the page
    Invitation.objects.filter(email="open-tab@alpha.example").delete()
    response = browser.post(link, {"full_name": "نیما", "password": PASSWORD})
    # then the page says the invitation is no longer valid, and nothing is made
    assert response.status_code == 404
    assert "دیگر معتبر نیست" in response.content.decode()
    assert not User.objects.filter(email="open-tab@alpha.example").exists()


def test_an_admin_who_loses_the_seat_takes_back_the_seats_offered(
    alpha, django_capture_on_commit_callbacks
):
    from pishkhan.tenancy.models import Membership

    # given an invitation sent by a portal admin
    admin = alpha.agent
    seat = Membership.objects.get(tenant=alpha.tenant, user=admin)
    seat.role = "admin"
    seat.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = alpha.client(admin).post(
            "/agent/members/", {"email": "offered@alpha.example", "role": "agent"}
        )
    assert sent.status_code == 302
    link = _link("offered@alpha.example")
    assert alpha.client().get(link).status_code == 200
    # when the admin is made an agent
    seat.role = "agent"
    seat.save()
    # then the link no longer stands, nor is the invitation listed as waiting
    assert alpha.client().get(link).status_code == 404
    page = alpha.client(alpha.owner).get("/agent/members/").content.decode()
    assert "offered@alpha.example" not in page
