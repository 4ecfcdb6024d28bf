"""The subject registry: a channel registers its kind and quality surveys and scores it
without importing the channel."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from pishkhan.quality import subjects
from pishkhan.quality.models import Survey
from pishkhan.quality.services import review_create, survey_request
from tests.quality.conftest import make_scorecard, marks_for


@dataclass
class Call:
    pk: int
    tenant_id: int
    agent: object
    ended: bool


@pytest.fixture
def calls(alpha, beta):
    """A "call" kind of the future, registered the way the chat app registers chats (a
    keyword-only getter, a title without language)."""
    known = {
        7: Call(7, alpha.tenant.pk, alpha.agent, True),
        8: Call(8, alpha.tenant.pk, alpha.agent, False),
        9: Call(9, beta.tenant.pk, beta.agent, True),
    }

    def get(*, tenant, pk):
        call = known.get(pk)
        return call if call is not None and call.tenant_id == tenant.pk else None

    subjects.register_subject(
        "call",
        get=get,
        title=lambda call: f"تماس {call.pk}",
        agent_of=lambda call: call.agent,
        url=lambda call: f"/agent/calls/{call.pk}/",
        is_finished=lambda call: call.ended,
    )
    yield known
    subjects._kinds.pop("call", None)


def test_a_registered_kind_is_surveyed_and_scored(alpha, calls, supervisor):
    # given a finished call handled by alice
    survey = survey_request(tenant=alpha.tenant, subject_kind="call", subject_id=7)
    assert survey.agent == alpha.agent
    card = make_scorecard(alpha)
    review = review_create(
        tenant=alpha.tenant,
        actor=supervisor,
        scorecard=card,
        subject_kind="call",
        subject_id=7,
        marks=marks_for(card, 1, 5, 2),
    )
    assert (review.subject_title, review.score) == ("تماس 7", Decimal("100.00"))
    assert subjects.kinds()[0] == "ticket"


def test_unfinished_unknown_and_other_tenants_subjects_are_not_scored(alpha, calls, supervisor):
    from django.core.exceptions import ValidationError

    card = make_scorecard(alpha)
    for kind, subject_id in (("call", 8), ("call", 9), ("fax", 7)):
        with pytest.raises(ValidationError):
            review_create(
                tenant=alpha.tenant,
                actor=supervisor,
                scorecard=card,
                subject_kind=kind,
                subject_id=subject_id,
                marks=marks_for(card, 1, 5, 2),
            )
    assert subjects.subject_get(tenant=alpha.tenant, kind="call", subject_id=9) is None
    assert not Survey.objects.exists()
