"""The production shape, checked without a Docker engine: the compose file and Django's
deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_describes_every_production_service_with_healthchecks():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "proxy"}
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pgdata" in compose()["volumes"]


def test_web_migrates_before_gunicorn_and_sits_behind_the_tls_proxy():
    services = compose()["services"]
    command = services["web"]["command"]
    assert command.index("migrate") < command.index("gunicorn q2c.wsgi:application")
    assert "ports" not in services["web"]  # only the proxy is published
    assert set(services["proxy"]["ports"]) == {"80:80", "443:443"}
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile


def test_worker_and_beat_run_celery_against_redis_and_postgres():
    services = compose()["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "q2c", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "q2c", "beat"]
    env = services["worker"]["environment"]
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["DEBUG"] == "0"
    assert services["worker"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "DJANGO_SETTINGS_MODULE": "q2c.settings",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", **overrides}


def test_check_deploy_reports_nothing_with_debug_off():
    secret = "x" * 30 + "-not-a-real-production-secret-" + "y" * 20
    env = production_env(DEBUG="0", SECRET_KEY=secret, ALLOWED_HOSTS="q2c.example.com",
                         PAYMENT_WEBHOOK_SECRET="webhook-" + "z" * 40)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_a_secret_key_refuses_to_start():
    env = production_env(DEBUG="0", SECRET_KEY="")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_debug_off_without_a_broker_refuses_to_start():
    env = production_env(DEBUG="0", SECRET_KEY="x" * 50, PAYMENT_WEBHOOK_SECRET="w" * 40,
                         CELERY_BROKER_URL="")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "CELERY_BROKER_URL must be set when DEBUG=0" in result.stderr


def test_a_document_colour_that_is_not_a_colour_refuses_to_start():
    env = production_env(DEBUG="1", COMPANY_COLOUR="red; background: url(x)")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "COMPANY_COLOUR must be a colour like #1d2330" in result.stderr


def test_debug_is_off_unless_the_environment_says_so():
    env = production_env(SECRET_KEY="x" * 50, PAYMENT_WEBHOOK_SECRET="w" * 40)
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print('DEBUG', settings.DEBUG)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_make_run_turns_debug_on_by_itself():
    makefile = (ROOT / "Makefile").read_text()
    assert "export DEBUG ?= 1" in makefile  # `make run` needs no setting at all
    result = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={k: v for k, v in os.environ.items()
                                             if k != "DEBUG"})
    assert "runserver" in result.stdout


def test_the_served_demo_issues_with_the_seeded_seller_unless_the_environment_names_one():
    """`make run` serves with DEMO_COMPANY=1: invoices issued in the demo carry the seller the
    seed used (q2c/demo_company.py); a COMPANY_* the environment sets still wins."""
    assert "DEMO_COMPANY=1" in subprocess.run(["make", "-n", "run"], cwd=ROOT, text=True,
                                              capture_output=True, timeout=60).stdout
    env = {**os.environ, "DEBUG": "1", "DEMO_COMPANY": "1", "COMPANY_CITY": "Leipzig"}
    env.pop("COMPANY_VAT_ID", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from core.company import seller; s = seller(); print(s.vat_id, s.city, s.phone)"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "q2c.settings"}, capture_output=True,
        text=True, timeout=120)
    assert result.stdout.splitlines()[-1].split()[:2] == ["DE123456788", "Leipzig"], result.stderr
