"""The knowledge routes of the API."""

from ninja import Router

router = Router(tags=["knowledge"])
