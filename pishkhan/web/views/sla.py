"""Business calendars, SLA policies and the ticket's SLA actions in the agent workspace."""

urls: list = []
