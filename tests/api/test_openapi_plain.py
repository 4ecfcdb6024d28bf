"""The API documentation and the API's messages are read by our customers' developers: they say
what a rule is in plain words, never by the internal requirement ids that name it (`T-4`,
`[002 r13]`), which mean nothing outside the team."""

import re

from django.test import Client

from pishkhan.api.errors import MESSAGES

from .helpers import API

# A requirement id (the SPEC's prefixes) or a bracketed source reference such as [002 r13],
# [003 4.2.2] or [002, 003].
REFERENCE = re.compile(r"\b[ACMPSTX]-\d+\b|\[\d{3}[ \],]")
READ_BY_USERS = {"description", "summary", "title"}


def _texts(node, where=""):
    """Every (place, text) in the document that a reader sees as prose."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in READ_BY_USERS and isinstance(value, str):
                yield f"{where}/{key}", value
            yield from _texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{where}/{index}")


def test_documentation_names_no_internal_reference(db):
    document = Client(HTTP_HOST="localhost").get(API + "/openapi.json").json()
    texts = list(_texts(document))
    assert any(where.endswith("/description") for where, _ in texts)  # the walk found prose

    with_reference = [f"{where}: {text}" for where, text in texts if REFERENCE.search(text)]

    assert with_reference == []


def test_error_messages_name_no_internal_reference():
    with_reference = [
        f"{code}: {text}"
        for code, pair in MESSAGES.items()
        for text in pair
        if REFERENCE.search(text)
    ]

    assert with_reference == []
