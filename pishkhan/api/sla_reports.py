"""SLA reports (JSON and CSV)."""

from ninja import Router

router = Router(tags=["sla reports"])
