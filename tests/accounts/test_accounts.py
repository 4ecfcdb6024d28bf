import importlib

import pytest
from django.core.exceptions import ValidationError

from pishkhan.accounts.models import Customer, User
from pishkhan.accounts.services import customer_create, customer_signup
from tests.conftest import PASSWORD


def test_production_settings_hash_passwords_with_argon2_first():
    settings_module = importlib.import_module("pishkhan.settings")
    assert settings_module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_stored_password_is_one_way(alpha, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = customer_signup(
        tenant=alpha.tenant, name="مینا", email="mina@example.ir", password=PASSWORD
    )
    assert user.password.startswith("argon2$") and PASSWORD not in user.password


def test_signup_links_an_existing_customer_record(alpha):
    known = customer_create(
        tenant=alpha.tenant, actor=alpha.agent, name="از ایمیل", email="known@example.ir"
    )
    user = customer_signup(
        tenant=alpha.tenant, name="همان مشتری", email="KNOWN@example.ir", password=PASSWORD
    )
    known.refresh_from_db()
    assert known.user == user
    assert Customer.objects.filter(tenant=alpha.tenant, email="known@example.ir").count() == 1


def test_signup_twice_with_one_email_is_refused(alpha):
    with pytest.raises(ValidationError) as err:
        customer_signup(
            tenant=alpha.tenant, name="دوباره", email=alpha.customer.email, password=PASSWORD
        )
    assert "email" in err.value.message_dict


def test_customer_phone_accepts_persian_digits(alpha):
    customer = customer_create(
        tenant=alpha.tenant, actor=alpha.agent, name="تلفنی", phone="۰۹۱۲ ۱۲۳ ۴۵۶۷"
    )
    assert customer.phone == "09121234567"


def test_customer_with_bad_fields_is_not_created(alpha):
    before = Customer.objects.count()
    with pytest.raises(ValidationError) as err:
        customer_create(
            tenant=alpha.tenant, actor=alpha.agent, name=" ", email="x@", phone="abc", language="de"
        )
    assert set(err.value.message_dict) == {"name", "email", "phone", "language"}
    assert Customer.objects.count() == before


def test_staff_login_only_where_they_hold_a_seat(alpha, beta):
    assert (
        alpha.client()
        .post("/login/", {"email": beta.agent.email, "password": PASSWORD})
        .status_code
        == 200
    )
    assert (
        beta.client().post("/login/", {"email": beta.agent.email, "password": PASSWORD}).status_code
        == 302
    )
    assert User.objects.filter(email=beta.agent.email).count() == 1
