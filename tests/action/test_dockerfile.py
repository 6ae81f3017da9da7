"""entrypoint/Dockerfile. Docker cannot build or run images here (no engine, no registry
access), so these tests read it: hadolint, the entrypoint, the pins. The project's GitHub
workflow builds and runs it."""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points

from action_tools import run, tool
from helpers import REPO

import migrate_gate
from migrate_gate import action

DOCKERFILE = REPO / "entrypoint" / "Dockerfile"


def instructions(name: str) -> list[str]:
    """Arguments of every instruction `name`, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]


def test_hadolint_clean() -> None:
    done = run(tool("hadolint"), "--failure-threshold", "warning", DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_entrypoint_is_the_console_script() -> None:
    """Exec form, so signals reach it; and the name resolves to migrate_gate.action:main."""
    (entrypoint,) = instructions("ENTRYPOINT")
    assert json.loads(entrypoint) == ["migrate-gate-action"]
    (script,) = entry_points(group="console_scripts", name="migrate-gate-action")
    assert script.value == "migrate_gate.action:main"
    assert callable(action.main)


def test_base_images_and_tools_are_pinned() -> None:
    """The bases are build arguments (a machine that cannot pull passes its own); their
    defaults, what GitHub builds, are pinned."""
    args = dict(line.split("=", 1) for line in instructions("ARG") if "=" in line)
    froms = [line.split() for line in instructions("FROM")]
    images = [words[1] if words[0].startswith("--platform=") else words[0] for words in froms]
    assert images == ["${GO_IMAGE}", "${NODE_IMAGE}", "${PYTHON_IMAGE}"]
    # goose compiles on the build machine for the target (no Go under emulation for arm64)
    assert froms[0][0] == "--platform=${BUILDPLATFORM}"
    assert 'GOARCH="${TARGETARCH' in DOCKERFILE.read_text()
    for name in ("GO_IMAGE", "NODE_IMAGE", "PYTHON_IMAGE"):
        image = args[name]
        assert re.fullmatch(r"[a-z]+:\d+\.\d+\.\d+-[a-z-]+", image), f"unpinned base image {image}"
    assert args["GOOSE_VERSION"] == "v3.26.0"
    assert args["MIGRATE_GATE_VERSION"] == migrate_gate.__version__
    assert "/tmp/context/dist/*.whl" in DOCKERFILE.read_text()  # the repository's own build
