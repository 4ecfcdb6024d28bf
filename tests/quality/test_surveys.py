"""Satisfaction surveys (C-4): asked when a ticket is resolved, answered without a login,
counted once, kept to their own workspace."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from pishkhan.core import clock
from pishkhan.quality.models import Survey
from pishkhan.quality.services import (
    quality_settings_update,
    survey_answer,
    survey_request,
    survey_url,
)
from pishkhan.tickets.services import ticket_update
from tests.quality.conftest import resolve, survey_path_from_mail


def _resolved_with_mail(world, capture, ticket=None):
    mail.outbox.clear()
    with capture(execute=True):
        ticket = resolve(world, ticket)
    return ticket


def test_resolved_ticket_mails_a_survey_link_in_the_customers_language(
    alpha, django_capture_on_commit_callbacks
):
    # given alice's ticket, when it is resolved
    ticket = _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
    # then its customer gets, besides the status mail, a Persian mail with the ticket's
    # reference and a link to rate it, one click per rating
    surveys = [m for m in mail.outbox if "/survey/" in m.body]
    assert len(surveys) == 1
    message = surveys[0]
    assert message.to == [alpha.customer.email]
    assert f"[#{ticket.number}]" in message.subject
    assert "رضایت" in message.body
    survey = Survey.objects.get(tenant=alpha.tenant)
    assert (survey.subject_kind, survey.subject_id, survey.agent) == (
        "ticket",
        ticket.number,
        alpha.agent,
    )
    for score in range(1, 6):
        assert f"/survey/{survey.token}/?score={score}" in message.body


def test_the_survey_link_names_the_port_customers_reach_the_server_on(
    alpha, django_capture_on_commit_callbacks, settings
):
    # Behind the proxy, the scheme's own port; on a laptop, the one `serve` listens on.
    host = f"{alpha.tenant.slug}.localhost"  # a workspace without a domain of its own
    assert not alpha.tenant.domains.exists()
    settings.PUBLIC_PORT = ""
    _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(tenant=alpha.tenant)
    body = next(m for m in mail.outbox if "/survey/" in m.body).body
    assert f"http://{host}/survey/{survey.token}/" in body
    settings.PUBLIC_PORT = "8000"
    assert survey_url(survey) == f"http://{host}:8000/survey/{survey.token}/"


def test_english_customer_gets_the_survey_in_english(alpha, django_capture_on_commit_callbacks):
    alpha.customer.language = "en"
    alpha.customer.save(update_fields=["language"])
    _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if "/survey/" in m.body)
    assert message.subject.startswith(f"[#{alpha.ticket.number}] How did we do?")


def test_customer_rates_from_the_mail_without_logging_in(alpha, django_capture_on_commit_callbacks):
    # given the mailed link
    _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
    path = survey_path_from_mail()
    browser = alpha.client()  # nobody logged in
    # when the customer clicks "4" in the mail: the page sends it from their browser
    response = browser.get(path + "?score=4")
    assert response.status_code == 200
    assert 'id="survey-one-click"' in response.content.decode()
    assert not Survey.objects.filter(tenant=alpha.tenant, score__isnull=False).exists()
    assert browser.post(path, {"score": "4"}).status_code == 302
    assert Survey.objects.get(tenant=alpha.tenant).score == 4
    # and then adds a comment on the page and changes their mind
    response = browser.post(path, {"score": "5", "comment": "پاسخ سریع و دقیق بود"})
    # then the answer is stored and a thank-you page is shown
    assert response.status_code == 302
    thanks = browser.get(response["Location"])
    assert "thanks" in response["Location"] and thanks.status_code == 200
    survey = Survey.objects.get(tenant=alpha.tenant)
    assert (survey.score, survey.comment) == (5, "پاسخ سریع و دقیق بود")


def test_the_same_answer_twice_counts_once_and_the_second_replaces_the_first(alpha):
    # given a survey
    survey = survey_request(
        tenant=alpha.tenant,
        subject_kind="ticket",
        subject_id=resolve(alpha).number,
        customer_email=alpha.customer.email,
        language="fa",
    )
    # when the customer answers 2, then 2 again, then changes to 4 without a new comment
    survey_answer(tenant=alpha.tenant, token=survey.token, score=2, comment="دیر جواب دادید")
    survey_answer(tenant=alpha.tenant, token=survey.token, score=2)
    survey_answer(tenant=alpha.tenant, token=survey.token, score=4)
    # then one survey holds the last rating and the comment already given
    assert Survey.objects.filter(tenant=alpha.tenant).count() == 1
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answers) == (4, "دیر جواب دادید", 3)


def test_a_ticket_resolved_again_is_not_surveyed_twice(alpha, django_capture_on_commit_callbacks):
    ticket = _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
    ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, status="open")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(tenant=alpha.tenant, ticket=ticket, actor=alpha.agent, status="resolved")
    assert not [m for m in mail.outbox if "/survey/" in m.body]
    assert Survey.objects.filter(tenant=alpha.tenant).count() == 1


def test_a_mail_scanner_opening_every_link_records_nothing(alpha):
    # given a mailed survey whose five links a mail security scanner fetches before delivery
    survey = survey_request(
        tenant=alpha.tenant, subject_kind="ticket", subject_id=resolve(alpha).number
    )
    scanner = alpha.client()
    for score in range(1, 6):
        assert scanner.get(f"/survey/{survey.token}/?score={score}").status_code == 200
    # then the survey is still waiting for the customer's own answer
    survey.refresh_from_db()
    assert (survey.score, survey.answers) == (None, 0)


def test_answers_after_the_window_closes_change_nothing(alpha):
    quality_settings_update(tenant=alpha.tenant, actor=alpha.owner, window_days=3)
    survey = survey_request(
        tenant=alpha.tenant, subject_kind="ticket", subject_id=resolve(alpha).number
    )
    survey_answer(tenant=alpha.tenant, token=survey.token, score=3)
    with time_machine.travel(clock.now() + timedelta(days=3, minutes=1)):
        with pytest.raises(ValidationError) as caught:
            survey_answer(tenant=alpha.tenant, token=survey.token, score=5)
        assert caught.value.code == "survey_closed"
        page = alpha.client().get(f"/survey/{survey.token}/?score=5")
    assert page.status_code == 400
    survey.refresh_from_db()
    assert survey.score == 3


def test_a_customer_opening_the_link_again_reads_the_rating_and_comment_they_gave(alpha):
    quality_settings_update(tenant=alpha.tenant, actor=alpha.owner, window_days=3)
    survey = survey_request(
        tenant=alpha.tenant, subject_kind="ticket", subject_id=resolve(alpha).number
    )
    survey_answer(tenant=alpha.tenant, token=survey.token, score=4, comment="پاسخ سریع بود، ممنون")
    # while the survey is open, and after it has closed
    while_open = alpha.client().get(f"/survey/{survey.token}/").content.decode()
    with time_machine.travel(clock.now() + timedelta(days=3, minutes=1)):
        closed = alpha.client().get(f"/survey/{survey.token}/").content.decode()
    for page in (while_open, closed):
        assert "۴ از ۵" in page and "پاسخ سریع بود، ممنون" in page
    assert 'id="survey-closed"' in closed


@pytest.mark.parametrize("score", ["0", "6", "x", ""])
def test_a_rating_outside_1_to_5_is_refused_in_the_customers_language(alpha, beta, score):
    # given a Persian customer's survey and an English customer's
    persian = survey_request(
        tenant=alpha.tenant, subject_kind="ticket", subject_id=resolve(alpha).number, language="fa"
    )
    english = survey_request(
        tenant=beta.tenant, subject_kind="ticket", subject_id=resolve(beta).number, language="en"
    )
    # when each answers with something that is not 1-5
    to_persian = alpha.client().post(f"/survey/{persian.token}/", {"score": score})
    to_english = beta.client().post(f"/survey/{english.token}/", {"score": score})
    # then each is told so in their language, and nothing is stored
    assert to_persian.status_code == to_english.status_code == 400
    assert "امتیازی از ۱ تا ۵ انتخاب کنید." in to_persian.content.decode()
    assert "Choose a rating from 1 to 5." in to_english.content.decode()
    assert not Survey.objects.filter(score__isnull=False).exists()


@pytest.mark.parametrize(
    ("setting", "kind"),
    [("surveys_enabled", "ticket"), ("after_tickets", "ticket"), ("after_chats", "chat")],
)
def test_a_workspace_can_switch_surveys_off(
    alpha, setting, kind, django_capture_on_commit_callbacks
):
    quality_settings_update(tenant=alpha.tenant, actor=alpha.owner, **{setting: False})
    if kind == "ticket":
        _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
        assert not [m for m in mail.outbox if "/survey/" in m.body]
    else:
        assert survey_request(tenant=alpha.tenant, subject_kind="chat", subject_id=1) is None
    assert not Survey.objects.filter(tenant=alpha.tenant).exists()


def test_another_workspaces_survey_token_is_404(alpha, beta):
    # given bob's customer's survey
    survey = survey_request(
        tenant=beta.tenant, subject_kind="ticket", subject_id=resolve(beta).number
    )
    # when its link is opened (or answered) on alpha's host
    for response in (
        alpha.client().get(f"/survey/{survey.token}/"),
        alpha.client().get(f"/survey/{survey.token}/?score=1"),
        alpha.client().post(f"/survey/{survey.token}/", {"score": "1"}),
    ):
        # then alpha knows no such survey
        assert response.status_code == 404
    survey.refresh_from_db()
    assert survey.score is None
    with pytest.raises(Survey.DoesNotExist):
        survey_answer(tenant=alpha.tenant, token=survey.token, score=1)


def test_survey_mail_job_run_twice_mails_once(alpha, django_capture_on_commit_callbacks):
    from pishkhan.quality import tasks

    survey = survey_request(
        tenant=alpha.tenant,
        subject_kind="ticket",
        subject_id=resolve(alpha).number,
        customer_email=alpha.customer.email,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.survey_mail_send.call(survey.pk)
        tasks.survey_mail_send.call(survey.pk)
    assert len([m for m in mail.outbox if "/survey/" in m.body]) == 1


def test_a_customer_without_email_is_not_surveyed_after_a_ticket(
    alpha, django_capture_on_commit_callbacks
):
    alpha.customer.email = ""
    alpha.customer.save(update_fields=["email"])
    _resolved_with_mail(alpha, django_capture_on_commit_callbacks)
    assert not Survey.objects.filter(tenant=alpha.tenant).exists()
