"""Password hashing meets OWASP's argon2id minimums, and weak passwords are explained."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from ordena.accounts import passwords
from tests.conftest import TEST_PASSWORD_COST


@pytest.fixture
def production_cost() -> Iterator[None]:
    passwords.use_cost(passwords.PRODUCTION)
    yield
    passwords.use_cost(TEST_PASSWORD_COST)


def test_production_cost_is_owasps_argon2id_minimum() -> None:
    assert passwords.Cost(time_cost=2, memory_cost=19 * 1024, parallelism=1) == passwords.PRODUCTION


def test_a_fresh_process_hashes_at_production_cost_and_only_the_suite_hashes_cheaply() -> None:
    script = "from ordena.accounts import passwords; print(passwords.hash_password('una-clave-muy-segura-9'))"
    stored = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    params = extract_parameters(stored.strip())
    assert (params.type, params.time_cost, params.memory_cost, params.parallelism) == (Type.ID, 2, 19 * 1024, 1)
    assert passwords.current_cost() == TEST_PASSWORD_COST != passwords.PRODUCTION


def test_passwords_are_hashed_with_argon2id_at_owasp_strength(production_cost: None) -> None:
    stored = passwords.hash_password("una-clave-muy-segura-9")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024  # KiB: at least 19 MiB
    assert params.time_cost >= 2
    assert params.parallelism >= 1


def test_the_right_password_verifies_and_a_wrong_or_missing_hash_does_not() -> None:
    stored = passwords.hash_password("una-clave-muy-segura-9")
    assert passwords.verify_password(stored, "una-clave-muy-segura-9")
    assert not passwords.verify_password(stored, "otra-clave-cualquiera")
    assert not passwords.verify_password(None, "una-clave-muy-segura-9")
    assert not passwords.verify_password("not-a-hash", "x")


def test_weak_passwords_are_refused_with_a_reason() -> None:
    assert passwords.weakness("corta") is not None
    assert passwords.weakness("rosa.quispe-2024", email="rosa.quispe@example.com") is not None
    assert passwords.weakness("aaaaaaaaaaaa") is not None
    assert passwords.weakness("password123") is not None
    assert passwords.weakness("una-clave-muy-segura-9", email="rosa@example.com") is None
