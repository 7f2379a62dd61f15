"""Production hardening: response headers, the deploy checklist, and settings production refuses."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

REPO = Path(__file__).resolve().parents[2]
PROJECT_APPS = ["gosupport", "knowledgebase", "tickets", "chat", "appointments"]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = csp_directives(client.get(reverse("login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in " ".join(sum(policy.values(), []))


@pytest.mark.django_db
def test_error_pages_and_api_answers_carry_the_policy_too(client):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/api/v1/me/")


@pytest.mark.django_db
def test_only_the_api_docs_may_run_their_inline_bootstrap(client, supervisor):
    client.force_login(supervisor)
    policy = csp_directives(client.get(reverse("api-docs")))
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_pages_refuse_framing_and_leak_no_referrer(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def production_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="gosupport.settings",
        GOSUPPORT_ENV="production",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="support.example.ru",
        PD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PD_HASH_KEY=secrets.token_urlsafe(40),
        STAFF_2FA_REQUIRED="true",
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_deploy_checklist_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_staff_second_factor():
    code = "import django; django.setup()"
    result = run(["-c", code], production_env(STAFF_2FA_REQUIRED="false"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STAFF_2FA_REQUIRED" in result.stderr


def test_production_starts_with_the_staff_second_factor_on():
    result = run(["-c", "import django; django.setup()"], production_env())
    assert result.returncode == 0, result.stderr


INLINE_CODE = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|<style\b|\sstyle=\"|\son[a-z]+=\"|javascript:",
    re.IGNORECASE,
)


def project_templates() -> list[Path]:
    folders = [REPO / "templates", *(REPO / app / "templates" for app in PROJECT_APPS)]
    return [path for folder in folders if folder.is_dir() for path in folder.rglob("*.html")]


def test_no_template_needs_inline_script_or_style():
    """The policy would silently break such a page: scripts and styles go into static files."""
    offenders = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in project_templates()
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert project_templates() and not offenders, offenders
