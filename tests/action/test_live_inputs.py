"""The live-database inputs (lock-wait, lock-timeout, lock-retries, statement-timeout,
warn-slower-than) reach the CLI on both platforms, and the slowest migration is an output."""

from __future__ import annotations

import itertools
from pathlib import Path

from migrate_gate.action.inputs import read
from migrate_gate.action.manifest import GITHUB, GITLAB
from migrate_gate.action.outputs import outputs
from migrate_gate.action.run import argv
from migrate_gate.cli import build_parser


def flags(args: list[str]) -> dict[str, str]:
    """--flag value pairs after the command."""
    pairs = itertools.pairwise(args)
    return {flag: value for flag, value in pairs if flag.startswith("--lock") or "timeout" in flag}


def test_github_defaults_set_a_lock_timeout(tmp_path: Path) -> None:
    inputs = read(GITHUB, {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_COMMAND": "migrate"})
    args = argv(inputs)
    assert flags(args) == {"--lock-wait": "600", "--lock-timeout": "10", "--lock-retries": "3"}
    build_parser().parse_args(args[3:])  # the CLI accepts exactly these flags


def test_gitlab_inputs_reach_the_cli(tmp_path: Path) -> None:
    env = {
        "MIGRATE_GATE_INPUT_COMMAND": "rollback",
        "MIGRATE_GATE_INPUT_LOCK_TIMEOUT": "2.5",
        "MIGRATE_GATE_INPUT_LOCK_WAIT": "30",
        "MIGRATE_GATE_INPUT_STATEMENT_TIMEOUT": "300",
        "MIGRATE_GATE_INPUT_WARN_SLOWER_THAN": "60",
    }
    args = argv(read(GITLAB, env))
    assert flags(args) == {
        "--lock-wait": "30",
        "--lock-timeout": "2.5",
        "--lock-retries": "3",
        "--statement-timeout": "300",
    }
    assert args[args.index("--warn-slower-than") + 1] == "60"
    build_parser().parse_args(args[3:])


def test_commands_without_a_lock_get_no_lock_flags(tmp_path: Path) -> None:
    for command in ("status", "lint", "check"):
        env = {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_COMMAND": command}
        assert flags(argv(read(GITHUB, env))) == {}


def test_an_empty_lock_timeout_leaves_the_servers_setting(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path), "INPUT_COMMAND": "verify", "INPUT_LOCK-TIMEOUT": ""}
    args = argv(read(GITHUB, env))
    assert "--lock-timeout" not in args and "--warn-slower-than" not in args


def test_the_slowest_migration_is_an_output() -> None:
    report = {"durations": [{"id": "a", "seconds": 0.5}, {"id": "b", "seconds": 12.25}]}
    published = outputs(report)
    assert (published["slowest-migration"], published["slowest-seconds"]) == ("b", "12.250")
    assert outputs({})["slowest-migration"] == outputs({})["slowest-seconds"] == ""
