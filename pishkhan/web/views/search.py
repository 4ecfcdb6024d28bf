"""The search pages."""

urls: list = []
