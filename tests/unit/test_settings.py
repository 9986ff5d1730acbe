"""Configuration comes from ORDENA_* variables, with safe defaults and strict production rules."""

from __future__ import annotations

import pytest

from ordena.settings import DEFAULT_SECRET_KEY, Settings, SettingsError

STRONG = "s" * 40


def test_development_starts_with_safe_defaults_and_no_external_services() -> None:
    s = Settings.from_env({})
    assert s.environment == "development"
    assert s.database_url == "" and s.broker_url == "" and s.smtp_host == ""
    assert not s.billing_enabled and not s.mail_enabled and not s.secure_cookies


def test_production_refuses_the_default_secret() -> None:
    env = {
        "ORDENA_ENV": "production",
        "ORDENA_DATABASE_URL": "postgresql://x@db/ordena",
        "ORDENA_BASE_URL": "https://ordena.pe",
    }
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env(env)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({**env, "ORDENA_SECRET_KEY": "short"})


def test_production_needs_a_database_and_https() -> None:
    base = {"ORDENA_ENV": "production", "ORDENA_SECRET_KEY": STRONG}
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        Settings.from_env({**base, "ORDENA_BASE_URL": "https://ordena.pe"})
    with pytest.raises(SettingsError, match="https"):
        Settings.from_env({**base, "ORDENA_DATABASE_URL": "postgresql://x@db/o", "ORDENA_BASE_URL": "http://ordena.pe"})


def test_a_complete_production_configuration_is_accepted_with_secure_cookies() -> None:
    s = Settings.from_env(
        {
            "ORDENA_ENV": "production",
            "ORDENA_SECRET_KEY": STRONG,
            "ORDENA_DATABASE_URL": "postgresql://x@db/ordena",
            "ORDENA_BASE_URL": "https://ordena.pe/",
            "ORDENA_BROKER_URL": "amqp://guest:guest@mq:5672/",
            "ORDENA_SMTP_HOST": "smtp.example.com",
            "ORDENA_STRIPE_SECRET_KEY": "sk_test_x",
            "ORDENA_STRIPE_WEBHOOK_SECRET": "whsec_x",
            "ORDENA_STRIPE_PRICE_STARTER_MONTH": "price_1",
        }
    )
    assert s.base_url == "https://ordena.pe"
    assert s.stripe_prices == {"starter_month": "price_1"}
    assert s.secure_cookies and s.mail_enabled and s.billing_enabled
    assert s.secret_key != DEFAULT_SECRET_KEY


def test_a_stripe_key_without_the_webhook_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        Settings.from_env({"ORDENA_STRIPE_SECRET_KEY": "sk_test_x"})


def test_the_app_role_password_is_derived_from_the_secret_unless_given() -> None:
    a = Settings.from_env({"ORDENA_SECRET_KEY": STRONG})
    b = Settings.from_env({"ORDENA_SECRET_KEY": STRONG + "x"})
    assert a.effective_app_db_password != b.effective_app_db_password
    assert len(a.effective_app_db_password) == 32
    given = Settings.from_env({"ORDENA_APP_DB_PASSWORD": "chosen"})
    assert given.effective_app_db_password == "chosen"
