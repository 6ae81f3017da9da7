"""`migrate-gate lint` end to end: exit codes, report, outputs, config, --since."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from lint_helpers import run_lint

CLEAN = (
    "SET lock_timeout = '5s';\nSET statement_timeout = '10min';\n"
    "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text;\n"
)
INFO = "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS paid_at timestamp;\n"
WARNING = (
    "SET lock_timeout = '5s'; SET statement_timeout = '10min';\n"
    "CREATE INDEX IF NOT EXISTS users_plan_idx ON users (plan);\n"
)
ERROR = "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN legacy;\n"


def write(folder: Path, name: str, sql: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql, encoding="utf-8")
    return path


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    write(tmp_path, "clean.sql", CLEAN)
    write(tmp_path, "warning.sql", WARNING)
    write(tmp_path, "error.sql", ERROR)
    clean = run_lint("clean.sql", cwd=tmp_path)
    assert (clean.returncode, clean.stdout.strip()) == (0, "no findings")
    write(tmp_path, "info.sql", INFO)
    info = run_lint("info.sql", cwd=tmp_path)  # type advice and MG022 are info: never fail
    assert info.returncode == 0 and "MG015 prefer-timestamptz (info)" in info.stdout
    assert run_lint("info.sql", "--fail-on", "info", cwd=tmp_path).returncode == 1
    assert run_lint("warning.sql", cwd=tmp_path).returncode == 1
    assert run_lint("warning.sql", "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert run_lint("error.sql", "--fail-on", "error", cwd=tmp_path).returncode == 1
    allowed = run_lint("error.sql", "--allow-destructive", "--fail-on", "error", cwd=tmp_path)
    assert allowed.returncode == 0
    assert "MG008 destructive (warning)" in allowed.stdout


def test_json_report_lists_findings(tmp_path: Path) -> None:
    write(tmp_path, "db/002_index.sql", WARNING)
    result = run_lint("db", "--json", cwd=tmp_path)
    assert result.returncode == 1
    report = result.report
    assert report["tool"] == "migrate-gate" and report["command"] == "lint"
    assert report["status"] == "failed" and "1 finding(s) at or above warning" in report["error"]
    assert report["findings"] == [
        {
            "rule": "MG001",
            "name": "non-concurrent-index",
            "severity": "warning",
            "file": "db/002_index.sql",
            "line": 2,
            "message": "CREATE INDEX on existing table users blocks its writes for the whole build",
            "fix": "use CREATE INDEX CONCURRENTLY, in a migration that does not run in a "
            "transaction",
            "column": 1,
            "end_line": 2,
            "end_column": 58,
            "help_uri": "https://github.com/migrate-gate/migrate-gate/blob/main/docs/rules/MG001.md",
        }
    ]


def test_unparseable_sql_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    write(
        tmp_path,
        "bad.sql",
        "ALTER TABLE users ADD COLUMN a text;\nALTER TABEL users ADD COLUMN b text;\n",
    )
    result = run_lint("bad.sql", "--json", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rules = {(f["rule"], f["line"]) for f in result.report["findings"]}
    assert ("MG000", 2) in rules
    assert ("MG009", 1) in rules  # the statement that parses is still linted


def test_syntax_error_at_the_end_of_a_split_piece_is_a_finding(tmp_path: Path) -> None:
    """The scanner splits the rule's action list at its inner `;`: a piece that ends mid-
    statement fails "at end of input", which has no position of its own."""
    sql = "CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);\nSELEC 1;\n"
    write(tmp_path, "rule.sql", sql)
    result = run_lint("rule.sql", "--json", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert {f["rule"] for f in result.report["findings"]} == {"MG000"}
    assert {f["line"] for f in result.report["findings"]} <= {1, 2}


def test_output_file_and_json_report_together(tmp_path: Path) -> None:
    write(tmp_path, "m.sql", WARNING)
    result = run_lint("m.sql", "--json", "--format", "gitlab", "--output", "cq.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.report["findings"][0]["rule"] == "MG001"
    (issue,) = json.loads((tmp_path / "cq.json").read_text())
    assert issue["location"] == {"path": "m.sql", "lines": {"begin": 2}}


def test_output_file_keeps_the_text_findings_in_the_log(tmp_path: Path) -> None:
    write(tmp_path, "m.sql", WARNING)
    result = run_lint("m.sql", "--format", "gitlab", "--output", "cq.json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("m.sql:2: MG001 non-concurrent-index (warning)")
    assert json.loads((tmp_path / "cq.json").read_text())[0]["check_name"].startswith("MG001")


def test_github_format_on_stdout(tmp_path: Path) -> None:
    write(tmp_path, "m.sql", WARNING)
    result = run_lint("m.sql", "--format", "github", cwd=tmp_path)
    assert result.stdout.startswith(
        "::warning file=m.sql,line=2,title=MG001 non-concurrent-index::"
    )


def test_usage_errors_exit_2_in_one_line(tmp_path: Path) -> None:
    for args in (
        ["missing.sql"],
        ["--json", "--format", "sarif", str(tmp_path)],
        ["--format", "xml", str(tmp_path)],
        ["--ecosystem", "django", "--project-dir", str(tmp_path)],
        ["--since", "no-such-ref", str(tmp_path)],
    ):
        result = run_lint(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_config_file_ignores_rules(tmp_path: Path) -> None:
    write(tmp_path, "m.sql", "CREATE INDEX users_plan_idx ON users (plan);\n")
    assert run_lint("m.sql", cwd=tmp_path).returncode == 1
    write(tmp_path, ".migrate-gate.yml", "lint:\n  ignore: [MG001, lock-timeout]\n")
    assert run_lint("m.sql", cwd=tmp_path).returncode == 0
    write(tmp_path, ".migrate-gate.yml", "lint:\n  ignore: [MG999]\n")
    bad = run_lint("m.sql", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown rule 'MG999'" in bad.stderr


def test_config_turns_the_type_rules_off_in_one_line(tmp_path: Path) -> None:
    write(tmp_path, "m.sql", "CREATE TABLE t (id serial PRIMARY KEY, at timestamp, c char(2));\n")
    on = {f["rule"] for f in run_lint("m.sql", "--json", cwd=tmp_path).report["findings"]}
    assert {"MG012", "MG013", "MG014", "MG015"} <= on
    write(tmp_path, ".migrate-gate.yml", "lint:\n  types: false\n  pg_version: 12\n")
    result = run_lint("m.sql", "--json", cwd=tmp_path)
    off = {f["rule"] for f in result.report["findings"]}
    assert off == on - {"MG012", "MG013", "MG014", "MG015"} and result.report["pg_version"] == 12
    write(tmp_path, ".migrate-gate.yml", "lint:\n  types: no-thanks\n")
    bad = run_lint("m.sql", cwd=tmp_path)
    assert bad.returncode == 2 and "lint.types must be true or false" in bad.stderr


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_since_lints_only_files_changed_since_the_ref(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "migrations/001_old.sql", ERROR)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    write(tmp_path, "migrations/002_committed.sql", WARNING)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "feature")
    write(tmp_path, "migrations/003_untracked.sql", WARNING)
    result = run_lint("migrations", "--since", "main", "--json", cwd=tmp_path)
    files = sorted({f["file"] for f in result.report["findings"]})
    assert files == ["migrations/002_committed.sql", "migrations/003_untracked.sql"]
    everything = run_lint("migrations", "--json", cwd=tmp_path)
    assert "migrations/001_old.sql" in {f["file"] for f in everything.report["findings"]}
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "more")
    clean_branch = run_lint("migrations", "--since", "HEAD", cwd=tmp_path)
    assert (clean_branch.returncode, clean_branch.stdout.strip()) == (0, "no findings")
