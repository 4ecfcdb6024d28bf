"""The rules a request meets on its way in (T-4 … T-12), run in order by `ticket_submit` inside
its transaction. The policies app registers them at start-up; tickets never imports it, so the
ticket services stay the one place that writes tickets and the rules stay data of their own app.

A rule may *refuse* (raise `PolicyRefusal`: nothing is written, and the violation it names is
recorded afterwards in a transaction of its own, so the record survives the refusal), *flag*
(the ticket is created and the violation recorded on it), or *redirect* (a mailed duplicate
becomes a reply on the open ticket it repeats).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation

# Kinds of violation (policies.ViolationKind holds their labels).
DUPLICATE = "duplicate"
REOPEN = "reopen"
INCOMPLETE = "incomplete"
NOT_PERSIAN = "not_persian"
WRONG_PRIORITY = "wrong_priority"


@dataclass(frozen=True)
class ViolationNote:
    """A broken rule, to be recorded by the policies app."""

    kind: str
    tenant: Any
    customer: Any
    ticket: Any = None
    channel: str = ""
    actor: Any = None
    detail: dict = field(default_factory=dict)
    refused: bool = False


class PolicyRefusal(ValidationError):
    """A request a support rule does not accept. Carries its message in both languages (a
    customer who breaks a rule learns why, in their language; T-7 asks for both), the answer
    status for the API, and what the client needs to act (e.g. the matching ticket)."""

    def __init__(
        self,
        *,
        code: str,
        message_fa: str,
        message_en: str,
        status: int = 409,
        detail: dict | None = None,
        violation: ViolationNote | None = None,
    ):
        active = translation.get_language() or "fa"
        super().__init__(message_en if active.startswith("en") else message_fa, code=code)
        self.message_fa = message_fa
        self.message_en = message_en
        self.status = status
        self.detail = detail or {}
        self.violation = violation


@dataclass
class Submission:
    """A request as the intake path sees it, after its own field checks."""

    tenant: Any
    customer: Any
    department: Any
    subject: str
    body: str
    fields: dict
    priority: str
    channel: str
    actor: Any
    service: Any = None
    follow_up_of: Any = None
    # The customer's answer to "this looks like ticket #N": why this is another request.
    different_reason: str = ""
    fingerprint: bytes = b""
    missing_fields: list = field(default_factory=list)
    # What the rules decided, filled in by the checks.
    violations: list[ViolationNote] = field(default_factory=list)
    duplicate_of: Any = None
    append_to: Any = None
    # What the checks looked up once and share (the tenant's settings, say).
    context: dict = field(default_factory=dict)


Check = Callable[[Submission], None]
Recorder = Callable[[ViolationNote], None]
Withdrawer = Callable[..., None]
_checks: list[Check] = []
_recorders: list[Recorder] = []
_withdrawers: list[Withdrawer] = []


def register(*, checks: list[Check], recorder: Recorder, withdrawer: Withdrawer) -> None:
    """Called once from the policies app's `ready()`: the checks in the order they run, what
    records a violation, and what withdraws one that proved wrong (an un-merged duplicate)."""
    _checks[:] = checks
    _recorders[:] = [recorder]
    _withdrawers[:] = [withdrawer]


def run_checks(submission: Submission) -> None:
    for check in _checks:
        check(submission)


def record(note: ViolationNote) -> None:
    for recorder in _recorders:
        recorder(note)


def withdraw(*, tenant, ticket, kind: str) -> None:
    for withdrawer in _withdrawers:
        withdrawer(tenant=tenant, ticket=ticket, kind=kind)


def record_refusal(refusal: PolicyRefusal) -> None:
    """After the refused transaction has rolled back: keep the violation it names."""
    if refusal.violation is not None:
        record(refusal.violation)


def both(message) -> tuple[str, str]:
    """A translatable message in Persian and in English."""
    with translation.override("fa"):
        fa = str(message)
    with translation.override("en"):
        en = str(message)
    return fa, en
