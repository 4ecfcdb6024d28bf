"""Answers (`pishkhan.api.schemas.Out`) read each field in one pass instead of through ninja's
getter: what a client receives must be exactly what ninja's reading gives."""

from datetime import UTC, datetime

import pytest
from ninja.schema import DjangoGetter
from pydantic import Field, ValidationError

from pishkhan.api import schemas
from pishkhan.api.schemas import Out
from tests.api.helpers import send


def _ninja_reading(cls, obj, context) -> dict:
    """What pydantic reads from ninja's getter: every field by name, a missing one left out."""
    getter = DjangoGetter(obj, cls, context)
    found = {}
    for name in cls.model_fields:
        try:
            found[name] = getattr(getter, name)
        except AttributeError:
            continue
    return found


class _Row:
    def __init__(self, **values):
        self.__dict__.update(values)


def _title(obj) -> str:
    return obj["title"] if isinstance(obj, dict) else obj.title


class Shown(Out):
    title: str
    count: int = 0
    label: str
    late: bool = Field(False)
    when: datetime | None = None

    @staticmethod
    def resolve_label(obj, context) -> str:
        return f"{context['prefix']}{_title(obj)}"

    @staticmethod
    def resolve_late(obj) -> bool:
        return _title(obj).startswith("!")


@pytest.mark.parametrize(
    "row",
    [
        _Row(title="قطعی ایمیل", count=3, when=datetime(2026, 12, 7, 8, 30, tzinfo=UTC)),
        _Row(title="!فوری"),  # count and when missing: their defaults
        _Row(title="سرور", count=lambda: 7),  # a method's result, as ninja calls it
        {"title": "از یک دیکشنری", "count": 2},
    ],
)
def test_an_answer_reads_what_ninja_reads(row, monkeypatch):
    context = {"prefix": "» "}
    ours = Shown.model_validate(row, context=context).model_dump()
    monkeypatch.setattr(schemas, "_read_fields", _ninja_reading)
    assert ours == Shown.model_validate(row, context=context).model_dump()
    assert ours["label"].startswith("» ")


def test_a_missing_required_field_is_refused_as_ninja_refuses_it(monkeypatch):
    with pytest.raises(ValidationError) as ours:
        Shown.model_validate(_Row(count=1), context={"prefix": ""})
    monkeypatch.setattr(schemas, "_read_fields", _ninja_reading)
    with pytest.raises(ValidationError) as theirs:
        Shown.model_validate(_Row(count=1), context={"prefix": ""})
    assert ours.value.errors() == theirs.value.errors()
    # the label is made from the title, so it is missing too
    assert [error["loc"] for error in ours.value.errors()] == [("title",), ("label",)]


def test_an_answer_with_an_alias_or_a_plain_resolver_is_refused_when_declared():
    with pytest.raises(TypeError, match="read by name"):

        class Aliased(Out):
            start: str = Field(..., alias="from")

    with pytest.raises(TypeError, match="staticmethod"):

        class Unbound(Out):
            title: str

            def resolve_title(self, obj) -> str:
                return "x"


def _ticket_answers(world) -> list:
    api = world.api()
    paths = ["/tickets", "/tickets?status=closed", "/tickets?sort=-number&page_size=3"]
    listed = send(api, "GET", "/tickets?status=new,open,waiting,resolved,closed").json()["items"]
    paths += [f"/tickets/{t['number']}" for t in listed]
    paths += [f"/tickets/{t['number']}/time-entries" for t in listed]
    answers = []
    for path in paths:
        response = send(api, "GET", path)
        assert response.status_code == 200, (path, response.content)
        answers.append((path, response.json()))
    return answers


def test_tickets_in_every_state_are_answered_as_ninja_would(alpha, monkeypatch):
    # given tickets assigned and tagged, merged, closed as incomplete, out of scope, with
    # time logged, and one created through the API
    api = alpha.api()
    created = send(
        api,
        "POST",
        "/tickets",
        {
            "department_id": alpha.department.pk,
            "customer_id": alpha.customer.pk,
            "subject": "درخواست افزایش فضای هاست",
            "body": "لطفا فضای هاست ما را افزایش دهید.",
            "fields": {"domain": "example.ir", "server_ip": "185.1.2.3"},
        },
    )
    assert created.status_code == 201, created.content
    second = alpha.submit("سایت از دسترس خارج شده")
    third = alpha.submit("ایمیل ارسال نمی‌شود")
    patched = send(
        api,
        "PATCH",
        f"/tickets/{alpha.ticket.number}",
        {"assignee_id": alpha.agent.pk, "tags": ["فوری", "ایمیل"]},
    )
    assert patched.status_code == 200, patched.content
    merged = send(api, "POST", f"/tickets/{second.number}/merge", {"into": alpha.ticket.number})
    assert merged.status_code == 200, merged.content
    incomplete = send(
        api,
        "POST",
        f"/tickets/{third.number}/close-incomplete",
        {"reason": "incomplete", "note": "شماره سرویس را بفرستید."},
    )
    assert incomplete.status_code == 200, incomplete.content
    number = created.json()["number"]
    scoped = send(api, "POST", f"/tickets/{number}/out-of-scope", {"note": "طراحی سایت"})
    assert scoped.status_code == 200, scoped.content
    logged = send(
        api,
        "POST",
        f"/tickets/{alpha.ticket.number}/time-entries",
        {"minutes": 30, "kind": "work", "billable": True, "note": "بررسی سرور"},
    )
    assert logged.status_code == 201, logged.content

    # when every list and ticket is read as answers, then as ninja reads them
    ours = _ticket_answers(alpha)
    monkeypatch.setattr(schemas, "_read_fields", _ninja_reading)
    theirs = _ticket_answers(alpha)

    # then the client receives the same, and the states above are all in it
    assert ours == theirs
    shown = {body["number"]: body for _path, body in ours if "number" in body}
    assert shown[alpha.ticket.number]["assignee"]["id"] == alpha.agent.pk
    assert sorted(shown[alpha.ticket.number]["tags"]) == ["ایمیل", "فوری"]
    assert shown[alpha.ticket.number]["time_minutes"] == 30
    assert shown[second.number]["merged_into"] == alpha.ticket.number
    assert shown[third.number]["close_reason"] == "incomplete"
    assert shown[number]["out_of_scope"] is True
