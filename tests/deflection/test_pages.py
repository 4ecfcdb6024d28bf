"""Deflection in the browser: suggestions while a customer writes a request, opening one, the
submission linked to the visit, and the agents' article search for a reply."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.deflection.models import SearchLog, Visit
from pishkhan.knowledge.selectors import article_url
from pishkhan.tickets.models import Ticket
from tests.conftest import GOOD_FIELDS, SEED_BODY
from tests.deflection.conftest import KEY_A, MODULES_EN_TITLE, MODULES_TITLE

pytestmark = pytest.mark.django_db

# A customer's request in their own words, about the article on installing modules (002 r6).
REQUEST_SUBJECT = "راه اندازی مجدد ماژول"
REQUEST_BODY = "ماژول را یکبار نصب کردم ولی دوباره نیاز به نصب دارم"


def _suggest(client, subject=REQUEST_SUBJECT, body=REQUEST_BODY, key=KEY_A):
    return client.get(
        "/tickets/new/suggestions/",
        {"subject": subject, "body": body, "deflection_visit": key},
        HTTP_HX_REQUEST="true",
    )


def _post(client, key=KEY_A, **overrides):
    data = {
        "department": "",
        "subject": REQUEST_SUBJECT,
        "body": SEED_BODY,
        "priority": "normal",
        "field_domain": GOOD_FIELDS["domain"],
        "field_server_ip": GOOD_FIELDS["server_ip"],
        "deflection_visit": key,
        **overrides,
    }
    return client.post("/tickets/new/", data)


def test_new_ticket_form_carries_a_visit_and_asks_for_suggestions_while_typing(alpha):
    page = alpha.client(alpha.customer_user).get(f"/tickets/new/?department={alpha.department.pk}")
    html = page.content.decode()
    key = re.search(r'name="deflection_visit" value="([^"]+)"', html).group(1)
    assert len(key) >= 16
    assert 'hx-get="/tickets/new/suggestions/"' in html
    assert 'id="deflection-suggestions"' in html
    # choosing another department keeps the same visit
    again = alpha.client(alpha.customer_user).get(
        f"/tickets/new/?department={alpha.department.pk}&deflection_visit={key}",
        HTTP_HX_REQUEST="true",
    )
    assert f'value="{key}"' in again.content.decode()


def test_typing_a_persian_request_suggests_the_matching_public_article(alpha, kb):
    # when the customer types a request about installing a module again
    response = _suggest(alpha.client(alpha.customer_user))
    # then the Persian article is suggested first, before the English one; never the internal
    # article or the draft
    html = response.content.decode()
    assert response.status_code == 200
    assert MODULES_TITLE in html
    assert html.index(MODULES_TITLE) < html.index(MODULES_EN_TITLE)
    assert "راهنمای داخلی" not in html and "پیش نویس" not in html
    assert f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_A}" in html
    # and what was shown is on the visit
    visit = Visit.objects.get(key=KEY_A)
    assert visit.shown[0] == kb.modules.pk
    assert kb.internal.pk not in visit.shown and kb.draft.pk not in visit.shown


def test_an_english_customer_sees_english_articles_first(alpha, kb):
    alpha.customer.language = "en"
    alpha.customer.save(update_fields=["language"])
    # a request mixing both languages matches articles in both
    html = _suggest(alpha.client(alpha.customer_user), "ماژول module", "installing").content
    html = html.decode()
    assert html.index(MODULES_EN_TITLE) < html.index(MODULES_TITLE)


def test_nothing_typed_suggests_nothing_and_records_nothing(alpha, kb):
    response = _suggest(alpha.client(alpha.customer_user), "", "  ")
    assert response.status_code == 200
    assert b"<li" not in response.content
    assert not Visit.objects.exists()


def test_text_that_matches_nothing_is_kept_for_the_submission(alpha, kb):
    # given a text that first matched, then a text that matches nothing
    client = alpha.client(alpha.customer_user)
    _suggest(client)
    response = _suggest(client, "گواهی اس اس ال", "منقضی شده است")
    assert b"<li" not in response.content
    # when the request is submitted
    _post(client, department=alpha.department.pk, subject="گواهی اس اس ال")
    # then the visit keeps what was shown before, and the request is a search that found nothing
    visit = Visit.objects.get(key=KEY_A)
    assert visit.shown and visit.submitted_at is not None
    log = SearchLog.objects.get(source="portal")
    assert (log.query, log.results) == ("گواهی اس اس ال منقضی شده است", 0)


def test_opening_a_suggestion_records_it_and_shows_the_help_centre_article(alpha, kb):
    client = alpha.client(alpha.customer_user)
    _suggest(client)
    response = client.get(f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_A}")
    assert response.status_code == 302
    assert response["Location"] == article_url(kb.modules)
    assert Visit.objects.get(key=KEY_A).opened == [kb.modules.pk]
    assert client.get(response["Location"]).status_code == 200


def test_internal_and_draft_articles_do_not_open_from_the_form(alpha, kb):
    client = alpha.client(alpha.customer_user)
    for article in (kb.internal, kb.draft):
        assert client.get(f"/tickets/new/articles/{article.pk}/?visit={KEY_A}").status_code == 404
    assert not Visit.objects.exists()


def test_submitting_links_the_ticket_to_the_visit(alpha, kb):
    # given a customer who saw and opened the article but submits anyway
    client = alpha.client(alpha.customer_user)
    _suggest(client)
    client.get(f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_A}")
    response = _post(client, department=alpha.department.pk)
    # then the ticket is registered and the visit records all three
    ticket = Ticket.objects.get(tenant=alpha.tenant, subject=REQUEST_SUBJECT)
    assert response.status_code == 302
    visit = Visit.objects.get(key=KEY_A)
    assert visit.ticket == ticket and visit.submitted_at is not None
    assert kb.modules.pk in visit.shown and visit.opened == [kb.modules.pk]
    assert not visit.deflected


def test_a_refused_submission_is_not_a_submission(alpha, kb):
    # given a visit that opened an article
    client = alpha.client(alpha.customer_user)
    client.get(f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_A}")
    # when the form is refused: a required field is wrong, then the request is not in Persian
    refused = _post(client, department=alpha.department.pk, field_server_ip="999.1.1.1")
    assert refused.status_code == 200 and b"field-error" in refused.content
    english = _post(
        client, department=alpha.department.pk, subject="Server down", body="It is down again."
    )
    assert english.status_code == 200
    # then no ticket and the visit is not submitted; the same visit rides on in the form
    assert not Ticket.objects.filter(subject__in=[REQUEST_SUBJECT, "Server down"]).exists()
    visit = Visit.objects.get(key=KEY_A)
    assert visit.submitted_at is None and visit.ticket is None
    assert f'value="{KEY_A}"' in refused.content.decode()


def test_form_shown_again_suggests_articles_without_javascript(alpha, kb):
    response = _post(
        alpha.client(alpha.customer_user),
        department=alpha.department.pk,
        body=REQUEST_BODY,
        field_server_ip="999.1.1.1",
    )
    html = response.content.decode()
    assert MODULES_TITLE in html
    assert f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_A}" in html


def test_staff_do_not_get_the_customers_suggestions(alpha, kb):
    client = alpha.client(alpha.agent)
    assert _suggest(client).status_code == 404
    assert client.get(f"/tickets/new/articles/{kb.modules.pk}/?visit={KEY_A}").status_code == 404


def test_agent_finds_internal_articles_to_link_and_the_search_is_logged(alpha, kb):
    client = alpha.client(alpha.agent)
    response = client.get("/agent/articles/find/", {"q": "نصب مجدد ماژول"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "راهنمای داخلی" in html  # internal: for staff only
    assert "data-kb-insert" in html
    assert f"http://alpha.localhost{article_url(kb.internal)}" in html
    assert "پیش نویس" not in html
    log = SearchLog.objects.get()
    assert (log.source, log.query) == ("agent", "نصب مجدد ماژول")
    assert log.results >= 1


def test_agent_search_without_javascript_is_a_page(alpha, kb):
    response = alpha.client(alpha.agent).get("/agent/articles/find/", {"q": "ساعات پشتیبانی"})
    assert response.status_code == 200
    assert b"<html" in response.content and "ساعات پشتیبانی تلفنی".encode() in response.content


def test_agent_search_that_finds_nothing_says_so_and_is_logged(alpha, kb):
    response = alpha.client(alpha.agent).get(
        "/agent/articles/find/", {"q": "گواهی اس اس ال"}, HTTP_HX_REQUEST="true"
    )
    assert "هیچ".encode() in response.content or b"No published" in response.content
    assert SearchLog.objects.get().results == 0


def test_reply_box_offers_the_article_search(alpha):
    page = alpha.client(alpha.agent).get(f"/agent/tickets/{alpha.ticket.number}/")
    html = page.content.decode()
    assert 'id="kb-insert"' in html and "data-kb-insert" in html  # the script's hook
    assert 'hx-get="/agent/articles/find/"' in html


def test_customers_cannot_search_as_agents(alpha):
    assert alpha.client(alpha.customer_user).get("/agent/articles/find/?q=x").status_code == 404


def _more_articles(world, kb, n):
    from pishkhan.knowledge.services import article_create

    for i in range(n):
        article_create(
            tenant=world.tenant,
            actor=world.owner,
            publish=True,
            category=kb.modules.category,
            title=f"{MODULES_TITLE} {i + 2}",
            body=f"<p>راه اندازی مجدد ماژول شماره {i + 2}</p>",
        )


def test_suggestions_read_the_same_queries_for_one_or_many_articles(alpha, kb):
    client = alpha.client(alpha.customer_user)
    _suggest(client)  # the visit starts: later requests only update it
    with CaptureQueriesContext(connection) as few:
        first = _suggest(client)
    _more_articles(alpha, kb, 6)
    with CaptureQueriesContext(connection) as many:
        second = _suggest(client)
    assert first.content.count(b"<li") < second.content.count(b"<li") == 5
    assert len(many) == len(few)


def test_agent_search_reads_the_same_queries_for_one_or_many_articles(alpha, kb):
    client = alpha.client(alpha.agent)
    with CaptureQueriesContext(connection) as few:
        first = client.get("/agent/articles/find/", {"q": "مجدد"}, HTTP_HX_REQUEST="true")
    _more_articles(alpha, kb, 6)
    with CaptureQueriesContext(connection) as many:
        second = client.get("/agent/articles/find/", {"q": "مجدد"}, HTTP_HX_REQUEST="true")
    assert first.content.count(b"data-kb-insert") < second.content.count(b"data-kb-insert")
    assert len(many) == len(few)


def test_text_no_database_can_store_is_searched_without_it(alpha, kb):
    # given typed text with a NUL (PostgreSQL refuses it in any text)
    customer = _suggest(alpha.client(alpha.customer_user), "نصب\x00 ماژول", "")
    agent = alpha.client(alpha.agent).get(
        "/agent/articles/find/", {"q": "ماژول\x00"}, HTTP_HX_REQUEST="true"
    )
    # then both still answer with the matching article
    assert MODULES_TITLE in customer.content.decode()
    assert MODULES_TITLE in agent.content.decode()
    assert Visit.objects.get(key=KEY_A).query == "نصب ماژول"
