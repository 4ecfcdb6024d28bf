"""The deflection routes of the API."""

from ninja import Router

router = Router(tags=["deflection"])
