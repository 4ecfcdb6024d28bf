"""Service levels: business calendars, holidays, SLA targets and clocks (SPEC S-1 ... S-6).

The arithmetic lives in `pishkhan.core.businesstime` (pure, no Django) and the holiday data in
`pishkhan.core.iran_calendar`; this package adds what builds on them, starting with the
`pishkhan sla-due` command (`due_cli`).
"""
