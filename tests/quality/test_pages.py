"""The quality pages: scorecards and settings kept by admins, lists in a fixed number of
queries, and another workspace's scorecard unreachable."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pishkhan.quality.models import QualitySettings, Scorecard
from pishkhan.quality.services import review_create, review_dispute, survey_answer, survey_request
from tests.quality.conftest import make_scorecard, marks_for, resolve
from tests.quality.test_api import _reviews, _surveys


def test_owner_builds_a_scorecard_in_the_browser(alpha):
    client = alpha.client(alpha.owner)
    assert client.get("/agent/quality/scorecards/new/").status_code == 200
    response = client.post(
        "/agent/quality/scorecards/new/",
        {
            "name": "ارزیابی گفتگوی آنلاین",
            "description": "به منظور حفظ کیفیت پاسخگویی",
            "is_active": "on",
            "rows": "3",
            "label_0": "احوالپرسی",
            "weight_0": "1",
            "scale_0": "yes_no",
            "label_1": "درستی پاسخ",
            "weight_1": "2.5",
            "scale_1": "1_5",
            "comment_below_1": "3",
            "label_2": "",
        },
    )
    assert response.status_code == 302
    card = Scorecard.objects.get(tenant=alpha.tenant)
    assert [(c.label, str(c.weight), c.scale, c.comment_below) for c in card.criteria.all()] == [
        ("احوالپرسی", "1.00", "yes_no", None),
        ("درستی پاسخ", "2.50", "1_5", 3),
    ]


def test_a_bad_weight_is_shown_beside_its_row_and_nothing_is_saved(alpha):
    response = alpha.client(alpha.owner).post(
        "/agent/quality/scorecards/new/",
        {"name": "کارت", "rows": "1", "label_0": "ادب", "weight_0": "-1", "scale_0": "1_5"},
    )
    assert response.status_code == 400
    assert "وزنی بزرگ‌تر از ۰" in response.content.decode()
    assert not Scorecard.objects.exists()


def test_agents_do_not_reach_scorecards_or_settings(alpha):
    client = alpha.client(alpha.agent)
    for path in (
        "/agent/quality/scorecards/",
        "/agent/quality/settings/",
        "/agent/quality/surveys/",
    ):
        assert client.get(path).status_code == 404
    assert client.get("/agent/quality/").status_code == 200


def test_owner_switches_surveys_off_after_tickets(alpha):
    response = alpha.client(alpha.owner).post(
        "/agent/quality/settings/",
        {"surveys_enabled": "on", "after_chats": "on", "window_days": "7"},
    )
    assert response.status_code == 302
    current = QualitySettings.objects.get(tenant=alpha.tenant)
    assert (
        current.surveys_enabled,
        current.after_tickets,
        current.after_chats,
        current.window_days,
    ) == (True, False, True, 7)
    bad = alpha.client(alpha.owner).post("/agent/quality/settings/", {"window_days": "0"})
    assert bad.status_code == 400
    assert QualitySettings.objects.get(tenant=alpha.tenant).window_days == 7


def test_another_workspaces_scorecard_cannot_be_used_to_score(alpha, beta):
    beta_card = make_scorecard(beta)
    ticket = resolve(alpha)
    response = alpha.client(alpha.owner).get(
        f"/agent/quality/reviews/new/?kind=ticket&id={ticket.number}&scorecard={beta_card.pk}"
    )
    assert response.status_code == 404


def test_survey_answers_page_shows_comments(alpha):
    ticket = resolve(alpha)
    survey = survey_request(tenant=alpha.tenant, subject_kind="ticket", subject_id=ticket.number)
    survey_answer(tenant=alpha.tenant, token=survey.token, score=2, comment="پاسخ دیر رسید")
    page = alpha.client(alpha.owner).get("/agent/quality/surveys/").content.decode()
    assert "پاسخ دیر رسید" in page


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/agent/quality/", "reviews"),
        ("/agent/quality/surveys/", "surveys"),
        ("/agent/quality/scorecards/", "scorecards"),
    ],
)
def test_pages_cost_the_same_queries_for_few_and_many(alpha, supervisor, path, make):
    card = make_scorecard(alpha)
    client = alpha.client(alpha.owner)

    def grow(n):
        if make == "reviews":
            _reviews(alpha, card, supervisor, n)
        elif make == "surveys":
            _surveys(alpha, n)
        else:
            for i in range(n):
                make_scorecard(alpha, name=f"کارت {i}-{Scorecard.objects.count()}")

    grow(1)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    grow(4)
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    assert len(many) == len(few)


def test_a_resolved_ticket_offers_its_scoring_to_supervisors_only(alpha):
    # given a resolved ticket
    ticket = resolve(alpha)
    page = f"/agent/tickets/{ticket.number}/"
    # then the owner is offered to score it, and the agent who handled it is not
    assert 'id="score-ticket"' in alpha.client(alpha.owner).get(page).content.decode()
    assert 'id="score-ticket"' not in alpha.client(alpha.agent).get(page).content.decode()


def test_answering_a_dispute_without_a_note_keeps_the_revised_marks_and_comments(alpha, supervisor):
    # given alice's review (yes, 4 of 5, 1 of 2) that she disputes
    card = make_scorecard(alpha)
    ticket = resolve(alpha)
    review = review_create(
        tenant=alpha.tenant,
        actor=supervisor,
        scorecard=card,
        subject_kind="ticket",
        subject_id=ticket.number,
        marks=marks_for(card, 1, 4, 1),
    )
    review_dispute(
        tenant=alpha.tenant,
        actor=alpha.agent,
        review=review,
        reason="پاسخ در کمتر از یک ساعت داده شد",
    )
    politeness, answer, speed = card.criteria.all()
    # when the supervisor revises the speed to 2 with a comment but forgets the note
    response = alpha.client(supervisor).post(
        f"/agent/quality/reviews/{review.pk}/resolve/",
        {
            "outcome": "revised",
            "note": "",
            f"mark_{politeness.pk}": "1",
            f"mark_{answer.pk}": "4",
            f"mark_{speed.pk}": "2",
            f"comment_{speed.pk}": "پاسخ در کمتر از یک ساعت رسید",
        },
    )
    # then the page asks for the note and still shows what was chosen
    assert response.status_code == 400
    page = response.content.decode()
    speed_select = re.search(rf'<select name="mark_{speed.pk}".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="2" selected>', speed_select)
    assert 'value="پاسخ در کمتر از یک ساعت رسید"' in page
    # and the yes/no criterion is offered as yes and no, not as 0 and 1
    polite = re.search(rf'<select name="mark_{politeness.pk}".*?</select>', page, re.S).group(0)
    assert ">بله<" in polite and ">خیر<" in polite
    review.refresh_from_db()
    assert review.status == "disputed"


def test_a_weight_typed_on_a_persian_keyboard_is_accepted(alpha):
    # when the owner types the weights with Persian digits and the Persian decimal separator
    response = alpha.client(alpha.owner).post(
        "/agent/quality/scorecards/new/",
        {
            "name": "ارزیابی گفتگوی آنلاین",
            "is_active": "on",
            "rows": "2",
            "label_0": "احوالپرسی و رعایت ادب",
            "weight_0": "۱٫۵",
            "scale_0": "yes_no",
            "label_1": "درستی پاسخ",
            "weight_1": "۲",
            "scale_1": "1_5",
        },
    )
    # then the scorecard is saved with those weights
    assert response.status_code == 302
    card = Scorecard.objects.get(tenant=alpha.tenant)
    assert [str(c.weight) for c in card.criteria.all()] == ["1.50", "2.00"]


LATIN_DIGIT = re.compile(r"[0-9]")


def _field_errors(response) -> list[str]:
    return re.findall(r'<div class="field-error"[^>]*>(.*?)</div>', response.content.decode(), re.S)


def test_quality_errors_on_persian_pages_write_their_numbers_in_persian_digits(alpha, supervisor):
    card = make_scorecard(alpha)
    ticket = resolve(alpha)
    politeness, answer, speed = card.criteria.all()
    # when a supervisor gives «درستی پاسخ» 2 of 5 without saying why
    low_mark = alpha.client(supervisor).post(
        f"/agent/quality/reviews/new/?kind=ticket&id={ticket.number}&scorecard={card.pk}",
        {
            "kind": "ticket",
            "id": ticket.number,
            "scorecard": card.pk,
            f"mark_{politeness.pk}": "1",
            f"mark_{answer.pk}": "2",
            f"mark_{speed.pk}": "1",
        },
    )
    # and the owner asks for a comment below 9 on a 1-5 scale, and a 400-day survey window
    bad_card = alpha.client(alpha.owner).post(
        "/agent/quality/scorecards/new/",
        {
            "name": "کارت",
            "rows": "1",
            "label_0": "ادب",
            "weight_0": "1",
            "scale_0": "1_5",
            "comment_below_0": "9",
        },
    )
    bad_window = alpha.client(alpha.owner).post(
        "/agent/quality/settings/", {"surveys_enabled": "on", "window_days": "400"}
    )
    # then each is refused with its numbers in Persian digits
    for response, expected in (
        (low_mark, "۳"),
        (bad_card, "۵"),
        (bad_window, "۳۶۵"),
    ):
        assert response.status_code == 400
        errors = " ".join(_field_errors(response))
        assert expected in errors, errors
        assert not LATIN_DIGIT.search(errors), errors


def test_choosing_what_to_score_keeps_the_form_token_out_of_the_address(alpha, supervisor):
    card = make_scorecard(alpha)
    ticket = resolve(alpha)
    client = alpha.client(supervisor)
    # the first step is a GET form: its address goes to history and logs, so no token in it
    first = client.get("/agent/quality/reviews/new/").content.decode()
    form = re.search(r'<form method="get".*?</form>', first, re.S).group(0)
    assert "csrfmiddlewaretoken" not in form
    # the scoring step posts, with its token
    second = client.get(
        f"/agent/quality/reviews/new/?kind=ticket&id={ticket.number}&scorecard={card.pk}"
    ).content.decode()
    form = re.search(r'<form method="post".*?</form>', second, re.S).group(0)
    assert "csrfmiddlewaretoken" in form


def test_scoring_form_explains_each_criterion_without_latin_punctuation(alpha, supervisor):
    card = make_scorecard(alpha)
    ticket = resolve(alpha)
    page = (
        alpha.client(supervisor)
        .get(f"/agent/quality/reviews/new/?kind=ticket&id={ticket.number}&scorecard={card.pk}")
        .content.decode()
    )
    legends = [
        re.sub(r"<[^>]+>", "", legend)
        for legend in re.findall(r"<legend>(.*?)</legend>", page, re.S)
    ]
    # «درستی پاسخ» asks for a comment below 3: both facts in one Persian line
    answer = next(legend for legend in legends if legend.startswith("درستی پاسخ"))
    assert "۳" in answer and ";" not in answer and not LATIN_DIGIT.search(answer)
