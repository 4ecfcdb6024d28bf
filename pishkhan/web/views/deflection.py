"""The deflection pages."""

urls: list = []
