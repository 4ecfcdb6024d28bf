"""Ticket numbers per tenant: unique and without gaps, even when many arrive at once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from pishkhan.tickets.models import Ticket
from tests.conftest import World


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_consecutive_unique_numbers():
    alpha, beta = World("alpha", "alice"), World("beta", "bob")

    def submit(args):
        world, i = args
        try:
            return world.submit(f"همزمان {i}").number
        finally:
            close_old_connections()
            connection.close()

    jobs = [(alpha if i % 2 else beta, i) for i in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, jobs))
    for world in (alpha, beta):
        numbers = sorted(
            Ticket.objects.filter(tenant=world.tenant).values_list("number", flat=True)
        )
        assert numbers == list(range(1, 22))
