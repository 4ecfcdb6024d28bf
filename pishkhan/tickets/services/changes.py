"""Staff changes to a ticket: properties, status, restore, not-a-fault, merge, closing
without an answer, scope and time."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pishkhan import jobs
from pishkhan.accounts.models import User
from pishkhan.core import clock
from pishkhan.core.persian import name_key
from pishkhan.tenancy.models import Tenant
from pishkhan.tenancy.permissions import require_writer, staff_membership
from pishkhan.tickets import events, intake, tasks
from pishkhan.tickets import fields as department_fields
from pishkhan.tickets.models import (
    PRIORITY_RANK,
    CloseReason,
    Department,
    Priority,
    Severity,
    Status,
    Tag,
    Ticket,
    TicketTag,
    TimeEntry,
    WorkKind,
)
from pishkhan.tickets.services._common import (
    TAG_MAX,
    TAGS_PER_TICKET,
    UNSET,
    _apply_status,
    _choice,
    _require_open,
    clean_minutes,
)
from pishkhan.trust.services import audit_record
from pishkhan.validation import collect, require_clean


def _clean_tags(tags) -> list[str]:
    """The tags asked for, one spelling of each: the first given of those with one name_key
    ("VIP"/"vip", "ويژه"/"ویژه"/"وی‌ژه")."""
    if not isinstance(tags, list | tuple):
        raise ValidationError({"tags": [_("Tags must be a list.")]})
    cleaned = []
    keys = set()
    for raw in tags:
        name = " ".join(str(raw).split())
        key = name_key(name)
        if not key:  # nothing but spaces, ZWNJs or tatweels
            continue
        if len(name) > TAG_MAX:
            raise ValidationError(
                {"tags": [_("A tag has at most %(n)s characters.") % {"n": TAG_MAX}]}
            )
        if key not in keys:
            keys.add(key)
            cleaned.append(name)
    if len(cleaned) > TAGS_PER_TICKET:
        raise ValidationError({"tags": [_("At most %(n)s tags.") % {"n": TAGS_PER_TICKET}]})
    return cleaned


@transaction.atomic
def ticket_update(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User | None,
    status: str = UNSET,
    priority: str = UNSET,
    severity: str = UNSET,
    assignee: User | None = UNSET,
    department: Department = UNSET,
    tags: list[str] = UNSET,
    fields: dict = UNSET,
    reason: str = "",
    via: str = "web",
) -> Ticket:
    """Staff changes to a ticket's properties (T-2, T-3). A closed ticket's status is final.
    `fields` sets the department's field values (a key with an empty value clears it); staff
    may fill in what a mailed or phoned request lacked, which ends the wait for it (T-6).
    `actor` None is the system itself (an SLA escalation). A priority lowered by an agent with
    a `reason` records that the customer chose a higher priority than the request warrants
    [002 r14] (T-12)."""
    if actor is not None:
        require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    if status is not UNSET and ticket.is_closed and status != Status.CLOSED:
        raise ValidationError(
            _("This ticket is closed and cannot be reopened. Please open a new ticket."),
            code="ticket_closed",
        )
    checks = {}
    for name, value, choices in (
        ("status", status, Status),
        ("priority", priority, Priority),
        ("severity", severity, Severity),
    ):
        if value is not UNSET:
            checks[name] = lambda value=value, choices=choices, name=name: _choice(
                value, choices, field=name
            )
    if tags is not UNSET:
        checks["tags"] = lambda: _clean_tags(tags)
    cleaned, errors = collect(checks)
    tags = cleaned.get("tags", tags)
    if assignee is not UNSET and assignee is not None:
        membership = staff_membership(tenant=tenant, user=assignee)
        if membership is None or not membership.can_write:
            errors["assignee"] = [_("Choose an agent of this workspace.")]
    if department is not UNSET and (department is None or department.tenant_id != tenant.pk):
        errors["department"] = [_("Choose a department of this workspace.")]
    # A move to another department asks for that department's fields: what it requires and
    # the ticket lacks is listed as missing, as for a request filed there (T-1, T-6). What the
    # customer gave is kept, the new department's fields or not: a move made by mistake and
    # undone must lose nothing.
    moving = not errors and department is not UNSET and ticket.department_id != department.pk
    if (fields is not UNSET or moving) and not errors:
        target = department if department is not UNSET else ticket.department
        try:
            if fields is not UNSET:
                field_values = _staff_field_values(ticket, target, fields)
            else:
                field_values = _moved_field_values(ticket, target)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if ticket.is_closed:
        _refuse_closed_changes(
            ticket,
            priority=priority,
            severity=severity,
            assignee=assignee,
            department=department,
            field_values=field_values if fields is not UNSET else UNSET,
        )

    now = clock.now()
    changes: dict[str, list] = {}
    update_fields: list[str] = []
    for name, value in (("priority", priority), ("severity", severity)):
        if value is not UNSET and getattr(ticket, name) != value:
            changes[name] = [getattr(ticket, name), value]
            setattr(ticket, name, value)
            update_fields.append(name)
    if assignee is not UNSET and ticket.assignee_id != (assignee.pk if assignee else None):
        changes["assignee"] = [ticket.assignee_id, assignee.pk if assignee else None]
        ticket.assignee = assignee
        update_fields.append("assignee")
    if department is not UNSET and ticket.department_id != department.pk:
        changes["department"] = [ticket.department_id, department.pk]
        ticket.department = department
        update_fields.append("department")
    if fields is not UNSET or moving:
        values, still_missing = field_values
        if values != ticket.fields or still_missing != ticket.missing_fields:
            changes["fields"] = [ticket.fields, values]
            ticket.fields, ticket.missing_fields = values, still_missing
            update_fields += ["fields", "missing_fields"]
            if not still_missing and ticket.info_requested_at is not None:
                # Nothing is awaited any more: the request is no longer on its way to closing
                # without an answer.
                ticket.info_requested_at = None
                update_fields.append("info_requested_at")
    if tags is not UNSET:
        old_tags = dict(
            TicketTag.objects.filter(ticket=ticket).values_list("tag__key", "tag__name")
        )
        # Another spelling of the tags the ticket has is no change.
        if set(old_tags) != {name_key(name) for name in tags}:
            new_tags = _set_tags(tenant=tenant, ticket=ticket, names=tags)
            changes["tags"] = [sorted(old_tags.values()), sorted(new_tags)]
    if update_fields:
        ticket.updated_at = now
        ticket.save(update_fields=[*update_fields, "updated_at"])
    if changes:
        audit_record(
            tenant=tenant, actor=actor, action="ticket.update", obj=ticket, via=via, changes=changes
        )
    if "fields" in changes:
        events.publish(events.TicketEvent(events.FIELDS_CHANGED, tenant, ticket, now, actor))
    reclassified = sorted({"priority", "severity", "department"} & set(changes))
    if reclassified:
        events.publish(
            events.TicketEvent(
                events.RECLASSIFIED, tenant, ticket, now, actor, {"changed": reclassified}
            )
        )
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if "priority" in changes and reason and actor is not None:
        old, new = changes["priority"]
        if PRIORITY_RANK[new] > PRIORITY_RANK[old]:
            intake.record(
                intake.ViolationNote(
                    kind=intake.WRONG_PRIORITY,
                    tenant=tenant,
                    customer=ticket.customer,
                    ticket=ticket,
                    channel=ticket.channel,
                    actor=actor,
                    detail={"from": old, "to": new, "reason": reason},
                )
            )
    if status is not UNSET and status != ticket.status:
        _apply_status(tenant=tenant, ticket=ticket, status=status, actor=actor, via=via, now=now)
        if status in (Status.RESOLVED, Status.CLOSED):
            # The customer learns their request was resolved or closed (C-1, by mail).
            ticket_pk = ticket.pk
            jobs.enqueue(tasks.notify_status_changed, ticket_pk, status)
    return ticket


REASON_MAX = 500


def _refuse_closed_changes(
    ticket: Ticket, *, priority, severity, assignee, department, field_values
):
    """A closed ticket is the record of a finished request (T-3, T-5): its priority, severity,
    department, assignee and information are what its service level and the reports were
    measured by, so they stay. Tags, which only help find it, may still change; so may time
    spent on it. Sending the values it already has is no change (a form posts them all)."""
    changed = []
    for name, value in (("priority", priority), ("severity", severity)):
        if value is not UNSET and getattr(ticket, name) != value:
            changed.append(name)
    if assignee is not UNSET and ticket.assignee_id != (assignee.pk if assignee else None):
        changed.append("assignee")
    if department is not UNSET and ticket.department_id != department.pk:
        changed.append("department")
    if field_values is not UNSET and field_values[0] != ticket.fields:
        changed.append("fields")
    if changed:
        message = _(
            "This ticket is closed: its record stays as it was closed. Only its tags can change."
        )
        raise ValidationError(
            {name: [ValidationError(message, code="ticket_closed_record")] for name in changed}
        )


def _moved_field_values(ticket: Ticket, department: Department) -> tuple[dict, list]:
    """The ticket's field values as they stand, with those `department` defines checked by its
    definitions, and what it requires that they lack."""
    known = {d["key"] for d in department.fields}
    still: list[str] = []
    values = department_fields.clean_values(
        department.fields, {k: v for k, v in ticket.fields.items() if k in known}, missing=still
    )
    return {**ticket.fields, **values}, still


def _staff_field_values(ticket: Ticket, department: Department, raw) -> tuple[dict, list]:
    """The ticket's field values with `raw` applied, checked against the department's
    definitions; a required field left empty is listed as missing rather than refused (staff
    fill in what they know)."""
    if not isinstance(raw, dict):
        raise ValidationError({"fields": [_("Fields must be an object of key: value.")]})
    merged = {**ticket.fields, **raw}
    known = {d["key"] for d in department.fields}
    # A value of a field this department does not have (left from a move) is dropped; a key
    # sent that it does not have is refused by clean_values.
    merged = {k: v for k, v in merged.items() if k in known or k in raw}
    still: list[str] = []
    values = department_fields.clean_values(department.fields, merged, missing=still)
    return values, still


def _clean_reason(value: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({"reason": [_("Give the reason; the customer will read it.")]})
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Too long (at most %(n)s characters).") % {"n": REASON_MAX}]}
        )
    return text


@transaction.atomic
def ticket_merge(
    *, tenant: Tenant, ticket: Ticket, into: Ticket, actor: User, via: str = "web"
) -> Ticket:
    """T-3/T-4: `ticket` repeats `into`, a request of the same customer. It closes, pointing
    to `into`, whose thread shows its messages; un-merging restores it. The repeat is recorded
    as a duplicate (T-12).

    Another customer's ticket is refused: its customer would be told their request goes on in a
    ticket they cannot see, and never hear the answer given there (customers see only their
    own tickets). Each customer's request is answered in their own ticket."""
    require_writer(tenant=tenant, user=actor)
    if into is None or into.tenant_id != tenant.pk:
        raise ValidationError({"into": [_("Not found in this workspace.")]})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    into = Ticket.objects.select_for_update().get(pk=into.pk, tenant=tenant)
    if ticket.pk == into.pk:
        raise ValidationError({"into": [_("A ticket cannot be merged into itself.")]})
    if into.is_closed:
        raise ValidationError({"into": [_("Merge into an open ticket.")]})
    if into.customer_id != ticket.customer_id:
        raise ValidationError(
            {
                "into": [
                    _(
                        "Only a ticket of the same customer can be merged: each customer is "
                        "answered in their own ticket."
                    )
                ]
            }
        )
    _require_open(ticket)
    now = clock.now()
    ticket.merged_into = into
    ticket.status_before_merge = ticket.status
    ticket.close_reason = CloseReason.MERGED
    ticket.close_note = ""
    ticket.save(update_fields=["merged_into", "status_before_merge", "close_reason", "close_note"])
    into.updated_at = now
    into.save(update_fields=["updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.merge",
        obj=ticket,
        via=via,
        changes={"into": into.number},
    )
    _apply_status(tenant=tenant, ticket=ticket, status=Status.CLOSED, actor=actor, via=via, now=now)
    intake.record(
        intake.ViolationNote(
            kind=intake.DUPLICATE,
            tenant=tenant,
            customer=ticket.customer,
            ticket=ticket,
            channel=ticket.channel,
            actor=actor,
            detail={"merged_into": into.number},
        )
    )
    jobs.enqueue(tasks.notify_closed_with_reason, ticket.pk)
    return ticket


@transaction.atomic
def ticket_unmerge(*, tenant: Tenant, ticket: Ticket, actor: User, via: str = "web") -> Ticket:
    """Undo a merge: the ticket takes back the status it had, and the duplicate it was
    recorded as (if not fined) is withdrawn."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    if ticket.merged_into_id is None:
        raise ValidationError(_("This ticket is not merged."), code="not_merged")
    into_number = ticket.merged_into.number
    now = clock.now()
    restored = ticket.status_before_merge or Status.OPEN
    ticket.merged_into = None
    ticket.status_before_merge = ""
    ticket.close_reason = ""
    ticket.closed_at = None
    ticket.save(update_fields=["merged_into", "status_before_merge", "close_reason", "closed_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.unmerge",
        obj=ticket,
        via=via,
        changes={"from": into_number},
    )
    _apply_status(tenant=tenant, ticket=ticket, status=restored, actor=actor, via=via, now=now)
    intake.withdraw(tenant=tenant, ticket=ticket, kind=intake.DUPLICATE)
    return ticket


@transaction.atomic
def ticket_close_with_reason(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User | None,
    reason: str,
    note: str = "",
    via: str = "web",
) -> Ticket:
    """T-6: close a request without an answer because it lacks required information or
    carries wrong information (an agent), or because the customer never supplied what was
    asked (`actor` None: the rules' own job). The reason is shown to the customer."""
    if actor is not None:
        require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    _require_open(ticket)
    allowed = (CloseReason.INCOMPLETE, CloseReason.WRONG_INFORMATION, CloseReason.NO_ANSWER)
    if reason not in allowed:
        raise ValidationError({"reason": [_("Choose one of: %(c)s.") % {"c": ", ".join(allowed)}]})
    note = _clean_reason(note)
    now = clock.now()
    ticket.close_reason = reason
    ticket.close_note = note
    ticket.info_requested_at = None
    ticket.save(update_fields=["close_reason", "close_note", "info_requested_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.close_with_reason",
        obj=ticket,
        via=via,
        changes={"reason": reason, "note": note},
    )
    _apply_status(tenant=tenant, ticket=ticket, status=Status.CLOSED, actor=actor, via=via, now=now)
    if reason != CloseReason.NO_ANSWER:
        # A request that was never answered was recorded as incomplete when it arrived.
        intake.record(
            intake.ViolationNote(
                kind=intake.INCOMPLETE,
                tenant=tenant,
                customer=ticket.customer,
                ticket=ticket,
                channel=ticket.channel,
                actor=actor,
                detail={"reason": reason, "note": note},
            )
        )
    jobs.enqueue(tasks.notify_closed_with_reason, ticket.pk)
    return ticket


@transaction.atomic
def ticket_mark_out_of_scope(
    *, tenant: Tenant, ticket: Ticket, actor: User, note: str, via: str = "web"
) -> Ticket:
    """T-9 [002 r5, r7; 003 4.4]: the request is outside the support's scope (e.g. the
    customer's own CMS). The SLA no longer applies; staff may still answer it, as a billable
    extra service with the time it took."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    _require_open(ticket)
    if ticket.is_out_of_scope:
        raise ValidationError(
            _("This ticket is already marked out of scope."), code="already_out_of_scope"
        )
    note = _clean_reason(note, required=True)
    now = clock.now()
    ticket.out_of_scope_at = now
    ticket.scope_note = note
    ticket.updated_at = now
    ticket.save(update_fields=["out_of_scope_at", "scope_note", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.out_of_scope",
        obj=ticket,
        via=via,
        changes={"note": note},
    )
    events.publish(events.TicketEvent(events.OUT_OF_SCOPE, tenant, ticket, now, actor))
    return ticket


@transaction.atomic
def time_entry_add(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User,
    minutes,
    kind: str = WorkKind.WORK,
    billable: bool = False,
    note: str = "",
    via: str = "web",
) -> TimeEntry:
    """Time spent on a ticket (T-3). A data-centre visit is always the customer's cost
    [002 r11]; module installations are recorded by the entitlement rule instead (T-10)."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.for_tenant(tenant).get(pk=ticket.pk)
    cleaned = require_clean(
        {
            "minutes": lambda: clean_minutes(minutes, required_message=_("Enter the minutes.")),
            "kind": lambda: _clean_work_kind(kind),
            "note": lambda: _clean_reason(note),
        }
    )
    if cleaned["kind"] in (WorkKind.DATACENTRE_VISIT, WorkKind.EXTRA_SERVICE):
        billable = True
    entry = TimeEntry.objects.create(
        tenant=tenant,
        ticket=ticket,
        kind=cleaned["kind"],
        minutes=cleaned["minutes"],
        billable=bool(billable),
        note=cleaned["note"],
        user=actor,
        created_at=clock.now(),
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.time",
        obj=ticket,
        via=via,
        changes={"minutes": entry.minutes, "kind": entry.kind, "billable": entry.billable},
    )
    return entry


def _set_tags(*, tenant: Tenant, ticket: Ticket, names: list[str]) -> list[str]:
    """Give the ticket these tags (one spelling each, `_clean_tags`), and return their names:
    the tenant's spelling of a tag it has, else the one given, which the new tag keeps."""
    tags = []
    for name in names:
        # By key, so two agents typing two spellings at once make one tag: the unique
        # (tenant, key) lets only one insert through and the other reads it.
        tag, _created = Tag.objects.get_or_create(
            tenant=tenant, key=name_key(name), defaults={"name": name}
        )
        tags.append(tag)
    TicketTag.objects.filter(ticket=ticket).exclude(tag__in=tags).delete()
    existing = set(TicketTag.objects.filter(ticket=ticket).values_list("tag_id", flat=True))
    TicketTag.objects.bulk_create(
        [TicketTag(tenant=tenant, ticket=ticket, tag=t) for t in tags if t.pk not in existing]
    )
    return [t.name for t in tags]


@transaction.atomic
def ticket_mark_restored(
    *, tenant: Tenant, ticket: Ticket, actor: User, via: str = "web"
) -> Ticket:
    """A workaround is in place (S-2 "restore"): the restore target is met or missed now; the
    ticket stays open for the full resolution."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    _require_open(ticket)
    if ticket.restored_at is not None:
        raise ValidationError(_("This ticket is already marked restored."), code="already_restored")
    now = clock.now()
    ticket.restored_at = now
    ticket.updated_at = now
    ticket.save(update_fields=["restored_at", "updated_at"])
    audit_record(tenant=tenant, actor=actor, action="ticket.restored", obj=ticket, via=via)
    events.publish(events.TicketEvent(events.RESTORED, tenant, ticket, now, actor))
    return ticket


BILLABLE_MINUTES_MAX = 100_000


@transaction.atomic
def ticket_mark_not_a_fault(
    *,
    tenant: Tenant,
    ticket: Ticket,
    actor: User,
    minutes: int | None = None,
    note: str = "",
    via: str = "web",
) -> Ticket:
    """S-5 [003 4.2.4]: the reported fault is not a software fault. The ticket's SLA
    obligations lapse and the time spent is logged as billable: `minutes` as the agent counts
    it, or by default the business time the ticket's clocks had used."""
    require_writer(tenant=tenant, user=actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, tenant=tenant)
    _require_open(ticket)
    if ticket.not_fault_at is not None:
        raise ValidationError(
            _("This ticket is already marked as not a software fault."), code="already_not_fault"
        )
    if minutes is not None:
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            minutes = -1
        if not 1 <= minutes <= BILLABLE_MINUTES_MAX:
            raise ValidationError(
                {
                    "minutes": [
                        _("Give the minutes spent, 1 to %(n)s.") % {"n": BILLABLE_MINUTES_MAX}
                    ]
                }
            )
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": [_("Too long (at most %(n)s characters).") % {"n": 500}]})
    now = clock.now()
    ticket.not_fault_at = now
    ticket.updated_at = now
    ticket.save(update_fields=["not_fault_at", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="ticket.not_a_fault",
        obj=ticket,
        via=via,
        changes={"minutes": minutes, "note": note},
    )
    events.publish(
        events.TicketEvent(
            events.NOT_A_FAULT, tenant, ticket, now, actor, {"minutes": minutes, "note": note}
        )
    )
    return ticket


def _clean_work_kind(kind: str) -> str:
    kinds = (WorkKind.WORK, WorkKind.EXTRA_SERVICE, WorkKind.DATACENTRE_VISIT)
    if kind not in kinds:
        raise ValidationError({"kind": [_("Choose one of: %(c)s.") % {"c": ", ".join(kinds)}]})
    return kind
