"""The knowledge pages."""

urls: list = []
