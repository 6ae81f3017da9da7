"""Run `migrate-gate-action` with exactly the environment a platform gives it, and read back
what it published (GitHub's output-file rules, GitLab's dotenv)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NamedTuple

from helpers import BIN


class ActionResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    files: dict[str, str]  # GITHUB_OUTPUT etc. -> content

    def assert_no_secret(self, secret: str) -> None:
        """The secret may appear only in `::add-mask::`, which the runner consumes unprinted."""
        for line in self.stdout.splitlines():
            if secret in line:
                assert line.startswith("::add-mask::"), f"secret leaked to stdout: {line[:60]}"
        assert secret not in self.stderr, "secret leaked to stderr"
        for name, text in self.files.items():
            assert secret not in text, f"secret leaked into {name}"


def github_env(workspace: Path, runner_temp: Path, inputs: dict[str, str]) -> dict[str, str]:
    """What the runner gives a container action: INPUT_<NAME> upper-cased, hyphens kept."""
    files = {
        name: runner_temp / name.lower()
        for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV")
    }
    for path in files.values():
        path.write_text("")
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(runner_temp),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_SERVER_URL": "https://github.com",
        **{name: str(path) for name, path in files.items()},
    }
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    return env


def run_action(env: dict[str, str], cwd: Path, timeout: float = 240) -> ActionResult:
    done = subprocess.run(
        [str(BIN / "migrate-gate-action")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    files = {
        name: Path(env[name]).read_text()
        for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV")
        if name in env
    }
    return ActionResult(done.returncode, done.stdout, done.stderr, files)


def parse_github_file(text: str) -> dict[str, str]:
    """GitHub's rules for GITHUB_OUTPUT/GITHUB_ENV: `k=v`, or `k<<DELIM` ... `DELIM`."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            key, value = line[:equals], line[equals + 1 :]
        else:
            assert heredoc > 0, f"invalid line in output file: {line!r}"
            key, delimiter = line[:heredoc], line[heredoc + 2 :]
            end = lines.index(delimiter, index)  # ValueError: the delimiter never closes
            value = "\n".join(lines[index:end])
            index = end + 1
        assert key, f"empty name in {line!r}"
        values[key] = value
    return values


def parse_dotenv(text: str) -> dict[str, str]:
    """GitLab's dotenv report: KEY=VALUE per line."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip())
    return {key: value for key, value in pairs}


# A fourth Alembic revision that echoes the full URL (password included) the way a careless
# migration would, then fails: the run must fail and the password must stay masked.
FAILING_REVISION = '''"""fails"""
import sys

from alembic import op

revision = "4d6f8b0c2e34"
down_revision = "3c5e7a9b1d23"


def upgrade() -> None:
    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    print(f"connected to {url}", file=sys.stderr)
    op.execute("ALTER TABLE no_such_table ADD COLUMN x integer")


def downgrade() -> None:
    pass
'''
REVISIONS = ["1f3a5c7e9b01", "2b4d6f8a0c12", "3c5e7a9b1d23"]


def add_failing_revision(project: Path) -> None:
    (project / "migrations" / "versions" / "4d6f8b0c2e34_fails.py").write_text(FAILING_REVISION)
