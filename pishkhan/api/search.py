"""The search routes of the API."""

from ninja import Router

router = Router(tags=["search"])
