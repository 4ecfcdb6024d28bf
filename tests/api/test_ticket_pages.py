"""The ticket list read by cursor, with a count that stops counting."""

from pishkhan.tickets import selectors
from tests.api.helpers import API, assert_error


def _more(world, n: int) -> None:
    for i in range(n):
        world.submit(f"درخواست فهرست {i}")


def test_next_links_walk_the_whole_list_once(alpha):
    # given five tickets
    _more(alpha, 4)
    api = alpha.api()
    # when a client follows `next` two tickets at a time
    body = api.get(API + "/tickets?sort=-number&page_size=2").json()
    assert (body["count"], body["count_exact"], body["page"]) == (5, True, 1)
    numbers = [t["number"] for t in body["items"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        numbers += [t["number"] for t in body["items"]]
        assert body["page"] is None
    # then it has read every ticket once, in order, and the last page says there is no next
    assert numbers == [1, 2, 3, 4, 5]
    assert body["next_cursor"] is None


def test_cursor_keeps_the_filters_it_is_sent_with(alpha):
    _more(alpha, 4)
    api = alpha.api()
    first = api.get(API + "/tickets", {"sort": "number", "page_size": 2}).json()
    second = api.get(
        API + "/tickets", {"sort": "number", "page_size": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [t["number"] for t in first["items"] + second["items"]] == [5, 4, 3, 2]


def test_a_bad_cursor_or_a_page_too_deep_is_refused_in_both_languages(alpha):
    api = alpha.api()
    error = assert_error(api.get(API + "/tickets?cursor=nonsense"), 400, "invalid")
    assert list(error["fields"]) == ["cursor"]
    # a cursor is only good for the sort that made it
    _more(alpha, 2)
    by_number = api.get(API + "/tickets?sort=number&page_size=1").json()
    other_sort = api.get(API + "/tickets", {"sort": "created", "cursor": by_number["next_cursor"]})
    assert list(assert_error(other_sort, 400, "invalid")["fields"]) == ["cursor"]
    deep = api.get(API + "/tickets", {"page": selectors.OFFSET_LIMIT, "page_size": 100})
    assert list(assert_error(deep, 400, "invalid")["fields"]) == ["page"]


def test_count_says_at_least_when_there_are_more_than_it_counts(alpha, monkeypatch):
    _more(alpha, 4)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    body = alpha.api().get(API + "/tickets").json()
    assert (body["count"], body["count_exact"]) == (3, False)
    assert len(body["items"]) == 5
