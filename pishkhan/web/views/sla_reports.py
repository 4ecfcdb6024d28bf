"""SLA reports in the agent workspace (page and CSV)."""

urls: list = []
