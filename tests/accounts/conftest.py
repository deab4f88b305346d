import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The factories hash a password for every user; the default hasher takes 0.25 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
