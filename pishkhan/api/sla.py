"""SLA calendars, policies, ticket clocks and the restore / not-a-fault actions."""

from ninja import Router

router = Router(tags=["sla"])
