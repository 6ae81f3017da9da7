"""Secrets never leave migrate-gate, in any spelling, and masking never changes an id."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from helpers import CliResult, copy_project, run_cli

from migrate_gate.cli import _print_report
from migrate_gate.masking import MIN_LENGTH, Masker, forms
from migrate_gate.report import Report

HOSTILE = [f"Zebra{char}Secret42" for char in "@:/%#?&\"\\'"]
SHORT = "em"


def spellings(password: str) -> set[str]:
    """Every way a tool or argparse may print the password."""
    return {
        password,
        quote(password, safe=""),
        quote_plus(password),
        json.dumps(password)[1:-1],
        repr(password)[1:-1],
        password.replace("\\", "\\\\").replace('"', '\\"'),  # Ruby inspect, repr with "…"
        password.replace("\\", "\\\\").replace("'", "\\'"),
        shlex.quote(password),
    }


def assert_hidden(result: CliResult, password: str) -> None:
    for spelling in spellings(password):
        result.assert_no_secret(spelling)


def url(password: str) -> str:
    return f"postgresql://u:{quote(password, safe='')}@localhost:5432/db"


@pytest.mark.parametrize("password", HOSTILE)
def test_every_escaped_form_is_masked(password: str) -> None:
    masker = Masker([password])
    printed = [
        json.dumps({"password": password}),
        repr(password),
        repr({"p": password}),
        f'"{password.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"',
        shlex.quote(password),
        f"postgresql://u:{quote(password, safe='')}@h/db",
        quote_plus(password),
    ]
    for text in printed:
        assert password not in masker(text)
        for spelling in spellings(password):
            assert spelling not in masker(text), (text, spelling)
    assert forms(password) >= {password, json.dumps(password)[1:-1]}


def test_short_password_is_masked_in_urls_only_and_warned(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert len(SHORT) < MIN_LENGTH
    masker = Masker([SHORT])
    assert masker("add_author_email, temp") == "add_author_email, temp"
    assert masker("postgresql://u:em@host/db") == "postgresql://u:***@host/db"
    masker.warn_short()
    masker.warn_short()
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and "too short to be masked" in warning[0]
    assert SHORT not in warning[0]


@pytest.mark.parametrize("password", [*HOSTILE, SHORT, "email"])
@pytest.mark.parametrize(
    "args",
    [
        ["migrate", "--database_url", "{url}"],  # a mistyped flag
        ["migrate", "{url}"],  # the URL without its flag
        ["status", "--database-urll={url}"],
        ["lint", "--since", "--database-url={url}"],
        ["rollback", "--database-url", "{url}", "--steps", "{url}"],
    ],
)
def test_argparse_errors_never_echo_a_password(
    tmp_path: Path, password: str, args: list[str]
) -> None:
    project = copy_project("alembic", tmp_path)
    given = url(password)
    result = run_cli(*(a.replace("{url}", given) for a in args), cwd=project, env={})
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    if len(password) < MIN_LENGTH:
        assert f":{password}@" not in result.stderr
    else:
        assert_hidden(result, password)


def test_report_ids_are_never_masked(capsys: pytest.CaptureFixture[str]) -> None:
    """ids come from the database and files: a password that is a word in one stays."""
    password = "email"
    ids = ["20240102000000_add_author_email.js", "20240103000000_email_index.js"]
    report = Report(command="migrate", ecosystem="knex", project_dir="/p", applied=ids[:1])
    report.pending, report.current = ids[1:], ids[0]
    report.extra["checks"] = [
        {"migration": ids[1], "result": "failed", "message": "auth email failed", "diff": []}
    ]
    report.problems = [
        {
            "kind": "unknown-applied",
            "migration": ids[0],
            "detail": f"seen as {password}",
            "severity": "error",
        }
    ]
    report.fail(f"connection to postgresql://u:{password}@h/db failed: {password}")
    _print_report(report, as_json=True, masker=Masker([password]))
    printed = json.loads(capsys.readouterr().out)
    assert printed["problems"][0]["migration"] == ids[0]
    assert password not in printed["problems"][0]["detail"]
    assert (printed["applied"], printed["pending"], printed["current"]) == (
        [ids[0]],
        [ids[1]],
        ids[0],
    )
    assert printed["checks"][0]["migration"] == ids[1]
    assert password not in printed["error"] and password not in printed["checks"][0]["message"]
    _print_report(report, as_json=False, masker=Masker([password]))
    assert ids[0] in capsys.readouterr().out


def test_the_action_masks_the_reports_text_not_its_ids() -> None:
    """The action parses the CLI's report; masking it whole would star `..._email.js`."""
    from migrate_gate.action.run import _parse

    ids = ["20240102000000_add_author_email.js"]
    printed = json.dumps({"applied": ids, "pending": ids, "current": ids[0], "error": "bad email"})
    report = _parse(printed, Masker(["email"]))
    assert report is not None
    assert (report["applied"], report["pending"], report["current"]) == (ids, ids, ids[0])
    assert report["error"] == "bad ***"
