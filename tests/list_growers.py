"""Rows for the list query-count tests (tests/web/test_list_queries.py and
tests/api/test_list_queries.py): each grower adds `n` rows of one kind to a world, with the
relations its list shows, and returns a text each row shows (to check the list lists them)."""

from pishkhan.accounts.models import Customer
from pishkhan.accounts.ownership import service_register
from pishkhan.accounts.services import customer_create, staff_user_create
from pishkhan.core import clock
from pishkhan.mail.services import mailbox_create
from pishkhan.policies.models import Violation, ViolationKind
from pishkhan.policies.services import fine_charge
from pishkhan.sla.models import BusinessCalendar
from pishkhan.sla.services import calendar_create, policy_create, sla_defaults_ensure
from pishkhan.tenancy.models import Role
from pishkhan.tenancy.services import api_token_create, membership_grant
from pishkhan.tickets.services import (
    canned_reply_create,
    department_create,
    ticket_update,
    time_entry_add,
)
from tests.conftest import PASSWORD


def _serial(world, kind: str) -> int:
    """A number not used before in this world for `kind`, so growers can run twice."""
    counters = world.__dict__.setdefault("_grown", {})
    counters[kind] = counters.get(kind, 0) + 1
    return counters[kind]


def tickets(world, n: int) -> list[str]:
    made = [world.submit(f"درخواست فهرست {_serial(world, 'ticket')}") for _ in range(n)]
    for ticket in made:
        ticket_update(
            tenant=world.tenant,
            ticket=ticket,
            actor=world.owner,
            assignee=world.agent,
            tags=["سرور"],
        )
    return [t.subject for t in made]


def canned(world, n: int) -> list[str]:
    titles = [f"پاسخ آماده {_serial(world, 'canned')}" for _ in range(n)]
    for title in titles:
        canned_reply_create(tenant=world.tenant, actor=world.owner, title=title, body="سلام")
    return titles


def departments(world, n: int) -> list[str]:
    names = [f"واحد فهرست {_serial(world, 'department')}" for _ in range(n)]
    for name in names:
        department_create(tenant=world.tenant, actor=world.owner, name=name)
    return names


def members(world, n: int) -> list[str]:
    names = []
    for _ in range(n):
        serial = _serial(world, "member")
        user = staff_user_create(
            email=f"member{serial}@{world.tenant.slug}.example",
            password=PASSWORD,
            full_name=f"همکار {serial}",
        )
        membership_grant(tenant=world.tenant, user=user, role=Role.AGENT)
        names.append(user.full_name)
    return names


def tokens(world, n: int) -> list[str]:
    names = [f"توکن {_serial(world, 'token')}" for _ in range(n)]
    for name in names:
        api_token_create(tenant=world.tenant, user=world.owner, name=name)
    return names


def customers(world, n: int) -> list[str]:
    names = [f"مشتری فهرست {_serial(world, 'customer')}" for _ in range(n)]
    for number, name in enumerate(names):
        customer_create(
            tenant=world.tenant,
            actor=world.owner,
            name=name,
            email=f"list{number}-{name.split()[-1]}@{world.tenant.slug}.example",
        )
    return names


def services(world, n: int) -> list[str]:
    """Services of the world's customer (a customer's own list shows only theirs)."""
    names = [f"list{_serial(world, 'service')}-{world.tenant.slug}.ir" for _ in range(n)]
    for name in names:
        service_register(
            tenant=world.tenant,
            customer=world.customer,
            actor=world.agent,
            kind="domain",
            identifier=name,
        )
    return names


def _violation(world, customer: Customer | None = None) -> Violation:
    return Violation.objects.create(
        tenant=world.tenant,
        customer=customer or world.customer,
        kind=ViolationKind.DUPLICATE,
        created_at=clock.now(),
    )


def violations(world, n: int) -> list[str]:
    """Violations on the world's ticket: its agent lowers a priority set too high."""
    for _ in range(n):
        _serial(world, "violation")
        for priority, reason in (("urgent", ""), ("normal", "فقط کندی بود")):
            ticket_update(
                tenant=world.tenant,
                ticket=world.ticket,
                actor=world.agent,
                priority=priority,
                reason=reason,
            )
    return []


def fines(world, n: int) -> list[str]:
    for _ in range(n):
        _serial(world, "fine")
        fine_charge(tenant=world.tenant, violation=_violation(world), actor=world.owner)
    return []


def time_entries(world, n: int) -> list[str]:
    notes = [f"کار شماره {_serial(world, 'time')}" for _ in range(n)]
    for note in notes:
        time_entry_add(
            tenant=world.tenant, ticket=world.ticket, actor=world.agent, minutes=15, note=note
        )
    return notes


def mailboxes(world, n: int) -> list[str]:
    addresses = [
        f"box{_serial(world, 'mailbox')}@{world.tenant.slug}-mail.example" for _ in range(n)
    ]
    for address in addresses:
        mailbox_create(
            tenant=world.tenant, actor=world.owner, address=address, department=world.department
        )
    return addresses


def _office(world):
    sla_defaults_ensure(tenant=world.tenant)
    return BusinessCalendar.objects.get(tenant=world.tenant, name="office")


def calendars(world, n: int) -> list[str]:
    office = _office(world)
    names = [f"calendar{_serial(world, 'calendar')}" for _ in range(n)]
    for name in names:
        calendar_create(tenant=world.tenant, actor=world.owner, name=name, week=office.week)
    return names


def sla_policies(world, n: int) -> list[str]:
    office = _office(world)
    names = [f"سیاست فهرست {_serial(world, 'policy')}" for _ in range(n)]
    for name in names:
        policy_create(tenant=world.tenant, actor=world.owner, name=name, calendar=office)
    return names
