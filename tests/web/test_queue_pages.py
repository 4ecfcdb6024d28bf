"""The agent queue read page by page, with counts that stop counting."""

from pishkhan.tickets import selectors


def _more(world, n: int) -> None:
    for i in range(n):
        world.submit(f"درخواست صف {i}")


def test_second_page_offers_the_first_and_the_next(alpha):
    # given 31 tickets, more than the queue's page of 25
    _more(alpha, 30)
    client = alpha.client(alpha.agent)
    first = client.get("/agent/?sort=number")
    page = first.content.decode()
    assert 'rel="next"' in page and 'rel="first"' not in page
    second = client.get(f"/agent/?sort=number&after={first.context['next_cursor']}")
    page = second.content.decode()
    # then the second page links back to the first, and has no next page
    assert 'rel="first"' in page and 'rel="next"' not in page
    assert [t.number for t in second.context["tickets"]] == list(range(6, 0, -1))


def test_a_mangled_cursor_opens_the_first_page(alpha):
    response = alpha.client(alpha.agent).get("/agent/?after=%25%25nonsense")
    assert response.status_code == 200
    assert [t.number for t in response.context["tickets"]] == [alpha.ticket.number]


def test_counts_beyond_the_limit_read_more_than_in_persian(alpha, monkeypatch):
    # given more new tickets than the queue counts
    _more(alpha, 4)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    page = alpha.client(alpha.agent).get("/agent/").content.decode()
    # then the counts say "more than ۳", and the five tickets are listed all the same
    assert "بیش از ۳" in page
    assert page.count("درخواست صف") == 4
