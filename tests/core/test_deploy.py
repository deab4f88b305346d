"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-with-entropy-0123456789",
    "ALLOWED_HOSTS": "hackathon.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://hackathon.example.org",
    "CITEHACK_HTTPS": "1",
    "EMAIL_HOST": "smtp.example.org",
}


def run_check(tmp_path, extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"CITEHACK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "citehack.settings", **extra})
    return subprocess.run(
        [sys.executable, "-m", "citehack.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_deploy_check_passes_with_production_variables(tmp_path):
    result = run_check(tmp_path, PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_without_https_settings(tmp_path):
    """The negative control: the check does look at the settings."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CITEHACK_HTTPS"}
    result = run_check(tmp_path, env)
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr or "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_settings_read_database_and_redis_from_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "CITEHACK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://user:pw@db.example.org:5433/citehack",
        "REDIS_URL": "redis://cache.example.org:6379/2",
    })
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='citehack.settings'; from django.conf import settings;"
        "d=settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME']);"
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60).stdout
    assert "django.db.backends.postgresql db.example.org 5433 citehack" in out
    assert "django.core.cache.backends.redis.RedisCache redis://cache.example.org:6379/2" in out
