"""Typed settings read from ``ORDENA_*`` environment variables.

Settings are built on demand (``Settings.from_env()``) and passed into ``create_app``; nothing
reads the environment at import time, so tests build their own object instead of patching.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105 - refused in production below
BASE_DIR = Path(__file__).resolve().parents[3]
STRIPE_PLANS = ("starter", "professional", "network")


class SettingsError(RuntimeError):
    """The configuration cannot run safely."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    secret_key: str = DEFAULT_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    base_dir: Path = BASE_DIR
    data_dir: Path = field(default_factory=lambda: BASE_DIR / "var")
    # Owner URL: may create roles; used by migrations. Empty → embedded PostgreSQL.
    database_url: str = ""
    app_db_role: str = "ordena_app"
    app_db_password: str = ""
    # The benchmark refresh's own role (DESIGN §11); its password derives from the secret key.
    refresh_db_role: str = "ordena_refresh"
    db_pool_size: int = 20
    broker_url: str = ""
    redis_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Ordena <no-reply@ordena.local>"
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    # Stripe price ids by "<plan>_<interval>" (starter_month, network_year, …), from
    # ORDENA_STRIPE_PRICE_<PLAN>_<INTERVAL>; see ordena.billing.plans.
    stripe_prices: Mapping[str, str] = field(default_factory=dict)
    # Days a firm keeps writing after a failed payment; then it is read-only until paid.
    billing_grace_days: int = 7
    billing_trial_days: int = 14
    # Every N minutes the billing reconciliation runs (daily; 0 = never; only with billing on).
    billing_reconcile_interval_minutes: float = 24 * 60
    default_locale: str = "es"
    session_days: int = 14
    # A client contact's magic-link session ends after this many days without a visit.
    contact_idle_days: int = 7
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses
    # or networks, e.g. "127.0.0.1,10.0.0.0/8"); none by default: the peer is the client.
    trusted_proxies: str = ""
    link_ttl_hours: int = 72
    login_attempts_per_15min: int = 10
    # Unknown, used or expired link secrets and bearer tokens per client address in 15 minutes;
    # beyond it every link and token from that address is refused (429) until the window ends.
    guess_failures_per_15min: int = 20
    max_body_bytes: int = 10 * 1024 * 1024
    log_json: bool = True
    log_level: str = "INFO"
    run_worker_in_process: bool = True
    # Every N minutes the web and worker processes enqueue the reminder job (0 = never).
    reminder_interval_minutes: float = 15
    # Every N minutes the plan digest job runs (0 = never); each owner gets one digest a day.
    plan_digest_interval_minutes: float = 60
    # Every N minutes the network benchmark schedule is checked (0 = never); each network refreshes
    # every ``network.refresh_every_days`` (default monthly).
    network_refresh_check_minutes: float = 60
    # Generated reports (PDF, Excel) older than this many days are deleted with their files (0 = kept);
    # the cleanup runs every N minutes (daily; 0 = never). See ordena.reports.retention.
    report_retention_days: int = 90
    report_cleanup_interval_minutes: float = 24 * 60
    # Test-only: False publishes exact histograms (``release.noised`` = False). Refused in production.
    benchmark_noise: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        e = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return e.get(f"ORDENA_{name}", default)

        base_dir = Path(get("BASE_DIR") or BASE_DIR)
        settings = cls(
            environment=get("ENV", "development"),
            secret_key=get("SECRET_KEY", DEFAULT_SECRET_KEY),
            base_url=get("BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            host=get("HOST", "127.0.0.1"),
            port=int(get("PORT", "8000")),
            base_dir=base_dir,
            data_dir=Path(get("DATA_DIR") or base_dir / "var"),
            database_url=get("DATABASE_URL"),
            app_db_role=get("APP_DB_ROLE", "ordena_app"),
            app_db_password=get("APP_DB_PASSWORD"),
            refresh_db_role=get("REFRESH_DB_ROLE", "ordena_refresh"),
            db_pool_size=int(get("DB_POOL_SIZE", "20")),
            broker_url=get("BROKER_URL"),
            redis_url=get("REDIS_URL"),
            smtp_host=get("SMTP_HOST"),
            smtp_port=int(get("SMTP_PORT", "25")),
            smtp_username=get("SMTP_USERNAME"),
            smtp_password=get("SMTP_PASSWORD"),
            smtp_starttls=_bool(get("SMTP_STARTTLS"), False),
            mail_from=get("MAIL_FROM", "Ordena <no-reply@ordena.local>"),
            stripe_secret_key=get("STRIPE_SECRET_KEY"),
            stripe_webhook_secret=get("STRIPE_WEBHOOK_SECRET"),
            stripe_api_base=get("STRIPE_API_BASE"),
            stripe_prices={
                f"{plan}_{interval}": get(f"STRIPE_PRICE_{plan.upper()}_{interval.upper()}")
                for plan in STRIPE_PLANS
                for interval in ("month", "year")
                if get(f"STRIPE_PRICE_{plan.upper()}_{interval.upper()}")
            },
            billing_grace_days=int(get("BILLING_GRACE_DAYS", "7")),
            billing_trial_days=int(get("BILLING_TRIAL_DAYS", "14")),
            billing_reconcile_interval_minutes=float(get("BILLING_RECONCILE_INTERVAL_MINUTES", "1440") or 0),
            default_locale=get("DEFAULT_LOCALE", "es"),
            contact_idle_days=int(get("CONTACT_IDLE_DAYS", "7")),
            guess_failures_per_15min=int(get("GUESS_FAILURES_PER_15MIN", "20")),
            trusted_proxies=get("TRUSTED_PROXIES").strip(),
            log_json=_bool(get("LOG_JSON"), True),
            log_level=get("LOG_LEVEL", "INFO"),
            run_worker_in_process=_bool(get("WORKER_IN_PROCESS"), True),
            reminder_interval_minutes=float(get("REMINDER_INTERVAL_MINUTES", "15") or 0),
            plan_digest_interval_minutes=float(get("PLAN_DIGEST_INTERVAL_MINUTES", "60") or 0),
            network_refresh_check_minutes=float(get("NETWORK_REFRESH_CHECK_MINUTES", "60") or 0),
            report_retention_days=int(get("REPORT_RETENTION_DAYS", "90") or 0),
            report_cleanup_interval_minutes=float(get("REPORT_CLEANUP_INTERVAL_MINUTES", "1440") or 0),
        )
        if overrides:
            settings = replace(settings, **overrides)  # type: ignore[arg-type]
        settings.check()
        return settings

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        """`__Host-` + Secure cookies; only plain-http development drops them."""
        return self.is_production or urlsplit(self.base_url).scheme == "https"

    @property
    def billing_enabled(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def templates_dir(self) -> Path:
        return self.base_dir / "templates"

    @property
    def static_dir(self) -> Path:
        return self.base_dir / "static"

    @property
    def tenants_dir(self) -> Path:
        return self.base_dir / "tenants"

    @property
    def migrations_dir(self) -> Path:
        return self.base_dir / "migrations"

    @property
    def locale_dir(self) -> Path:
        return self.base_dir / "src" / "platform" / "ordena" / "locale"

    @property
    def effective_app_db_password(self) -> str:
        """The app role's password: given, or derived from the secret key (stable per install)."""
        if self.app_db_password:
            return self.app_db_password
        digest = hmac.new(self.secret_key.encode(), b"ordena-app-db-role", hashlib.sha256)
        return digest.hexdigest()[:32]

    @property
    def effective_refresh_db_password(self) -> str:
        """The refresh role's password, derived from the secret key like the app role's."""
        digest = hmac.new(self.secret_key.encode(), b"ordena-refresh-db-role", hashlib.sha256)
        return digest.hexdigest()[:32]

    def check(self) -> None:
        if self.contact_idle_days < 1:
            raise SettingsError("ORDENA_CONTACT_IDLE_DAYS must be a whole number of days, 1 or more")
        if self.report_retention_days < 0 or self.report_cleanup_interval_minutes < 0:
            raise SettingsError(
                "ORDENA_REPORT_RETENTION_DAYS and ORDENA_REPORT_CLEANUP_INTERVAL_MINUTES must be 0 or more"
            )
        if self.reminder_interval_minutes < 0:
            raise SettingsError("ORDENA_REMINDER_INTERVAL_MINUTES must be 0 (off) or a positive number of minutes")
        if self.plan_digest_interval_minutes < 0:
            raise SettingsError("ORDENA_PLAN_DIGEST_INTERVAL_MINUTES must be 0 (off) or a positive number of minutes")
        if self.stripe_secret_key and not self.stripe_webhook_secret:
            raise SettingsError("ORDENA_STRIPE_WEBHOOK_SECRET is required with ORDENA_STRIPE_SECRET_KEY")
        if self.billing_grace_days < 0 or self.billing_trial_days < 0:
            raise SettingsError("ORDENA_BILLING_GRACE_DAYS and ORDENA_BILLING_TRIAL_DAYS must be 0 or more")
        if self.is_production:
            if not self.benchmark_noise:
                raise SettingsError("benchmark noise may only be turned off in tests")
            if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
                raise SettingsError("ORDENA_SECRET_KEY must be set to a random value of 32+ characters in production")
            if not self.database_url:
                raise SettingsError("ORDENA_DATABASE_URL is required in production")
            if not self.base_url.startswith("https://"):
                raise SettingsError("ORDENA_BASE_URL must be https in production")
