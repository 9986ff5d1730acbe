from tests.integration.mail.smtp import smtp_server  # noqa: F401 - a fixture
