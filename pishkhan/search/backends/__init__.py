"""The two full-text backends behind one interface, chosen by the database vendor.

A backend turns a parsed query into SQL over `search_document` and answers two vocabulary
questions (words containing a query word; near misses of it). Everything else, filters,
order and paging, is the same ORM query on both, so the two return the same results."""

from django.db import connection

from pishkhan.search.backends import postgresql, sqlite


def current():
    return postgresql if connection.vendor == "postgresql" else sqlite
