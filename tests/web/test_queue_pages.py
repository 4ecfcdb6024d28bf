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
    assert [r["number"] for r in second.context["rows"]] == list(range(6, 0, -1))


def test_a_mangled_cursor_opens_the_first_page(alpha):
    response = alpha.client(alpha.agent).get("/agent/?after=%25%25nonsense")
    assert response.status_code == 200
    assert [r["number"] for r in response.context["rows"]] == [alpha.ticket.number]


def test_counts_beyond_the_limit_read_more_than_in_persian(alpha, monkeypatch):
    # given more new tickets than the queue counts
    _more(alpha, 4)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    page = alpha.client(alpha.agent).get("/agent/").content.decode()
    # then the counts say "more than ۳", and the five tickets are listed all the same
    assert "بیش از ۳" in page
    assert page.count("درخواست صف") == 4


def test_a_row_shows_the_ticket_in_the_readers_language(alpha):
    from pishkhan.tickets.models import Priority, Status
    from pishkhan.tickets.services import ticket_update
    from pishkhan.web.templatetags.pishkhan import digits

    # given a ticket with a tag, an assignee, a priority and a status of its own
    ticket = alpha.submit("قطعی ایمیل سرور")
    ticket_update(
        tenant=alpha.tenant,
        ticket=ticket,
        actor=alpha.agent,
        status=Status.WAITING,
        priority=Priority.URGENT,
        assignee=alpha.agent,
        tags=["ایمیل"],
    )
    client = alpha.client(alpha.agent)
    row = _row_of(client.get("/agent/").content.decode(), ticket.number)
    # then its row links to it and shows each of its properties in Persian
    assert f'href="/agent/tickets/{ticket.number}/"' in row
    shown = (
        "قطعی ایمیل سرور",
        '<span class="tag">ایمیل</span>',
        "علی رضایی",
        "پشتیبانی فنی",
        ">در انتظار پاسخ مشتری<",
        ">ضروری<",
        alpha.agent.display_name,
        f">{digits(ticket.number)}<",
    )
    for text in shown:
        assert text in row, text
    # and in English, with the department's English name
    client.post("/language/", {"language": "en", "next": "/agent/"})
    row = _row_of(client.get("/agent/").content.decode(), ticket.number)
    for text in ("Technical", ">Urgent<", ">Waiting on customer<", f">{ticket.number}<"):
        assert text in row, text


def _row_of(page: str, number: int) -> str:
    """The queue table's row of ticket `number`."""
    link = f'href="/agent/tickets/{number}/"'
    assert link in page
    start = page.rindex("<tr>", 0, page.index(link))
    return page[start : page.index("</tr>", start)]


def test_a_number_searched_offers_that_ticket_first_beside_those_mentioning_it(alpha):
    # given a ticket whose number is 2, and another mentioning "2" in its text
    second = alpha.submit("درخواست دوم")
    mention = alpha.submit("سرور 185.8.172.2 پاسخ نمی‌دهد")
    client = alpha.client(alpha.agent)
    # when an agent searches the queue for "۲", filtered to a status the ticket does not have
    page = client.get("/agent/", {"q": "۲", "status": "closed"}).content.decode()
    # then that ticket is offered first, linked, whatever the filters
    assert second.number == 2
    assert 'id="numbered-ticket"' in page
    assert f'<a href="/agent/tickets/{second.number}/">درخواست دوم</a>' in page
    assert "تیکت #۲" in page
    # and a search of words offers none
    assert 'id="numbered-ticket"' not in client.get("/agent/", {"q": "سرور"}).content.decode()
    # nor does a number no ticket has
    assert 'id="numbered-ticket"' not in client.get("/agent/", {"q": "۹۹۹"}).content.decode()
    assert mention.number == 3
