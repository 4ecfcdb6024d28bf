"""A page that is not there, or a server error, answers in Persian and English."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_missing_page_says_so_in_both_languages(alpha):
    response = Client().get("/no-such-page/", HTTP_HOST=alpha.host)
    body = response.content.decode()
    assert response.status_code == 404
    assert "پیدا نشد" in body and "was not found" in body
    assert 'dir="rtl"' in body
