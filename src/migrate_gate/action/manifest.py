"""The CI surface's inputs and outputs, read from manifest.yml (the one source)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from .. import __version__

GITHUB, GITLAB = "github", "gitlab"
# The image .github/workflows/release.yml pushes for each version (Python, Node.js, Ruby,
# goose): the container action runs it, and it is the component's default image.
IMAGE_REPOSITORY = "ghcr.io/migrate-gate/migrate-gate"
IMAGE = f"{IMAGE_REPOSITORY}:{__version__}"


@dataclass(frozen=True)
class Input:
    """One input of the actions and the component."""

    name: str
    description: str
    default: str
    platforms: tuple[str, ...] = (GITHUB, GITLAB)
    gitlab_name: str | None = None
    secret: bool = False
    variable: str | None = None  # GitLab: default name of the CI/CD variable holding a secret
    options: tuple[str, ...] = ()
    type: str = "string"  # GitLab spec input type: string, boolean or number

    @property
    def gitlab_input(self) -> str:
        """The GitLab spec input: secrets are passed by variable name."""
        name = self.gitlab_name or self.name
        return f"{name}-variable" if self.secret else name


@dataclass(frozen=True)
class Output:
    name: str
    description: str
    gitlab: bool = False  # also a MIGRATE_GATE_* dotenv variable

    @property
    def dotenv_name(self) -> str:
        return "MIGRATE_GATE_" + self.name.upper().replace("-", "_")


@dataclass(frozen=True)
class Manifest:
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    component: tuple[Input, ...]  # GitLab-only spec inputs that shape the job

    def input(self, name: str) -> Input:
        return next(item for item in self.inputs if item.name == name)

    def for_platform(self, platform: str) -> tuple[Input, ...]:
        return tuple(item for item in self.inputs if platform in item.platforms)


@cache
def load() -> Manifest:
    """The packaged manifest."""
    text = files("migrate_gate.action").joinpath("manifest.yml").read_text(encoding="utf-8")
    # {image} carries the package's version: a release changes one line (migrate_gate/__init__.py)
    return parse(yaml.safe_load(text.replace("{image}", IMAGE)))


def parse(data: dict[str, Any]) -> Manifest:
    return Manifest(
        inputs=tuple(_input(name, spec) for name, spec in data["inputs"].items()),
        outputs=tuple(
            Output(name, spec["description"], bool(spec.get("gitlab", False)))
            for name, spec in data["outputs"].items()
        ),
        component=tuple(_input(name, spec) for name, spec in data["component"].items()),
    )


def _input(name: str, spec: dict[str, Any]) -> Input:
    return Input(
        name=name,
        description=" ".join(str(spec["description"]).split()),
        default=str(spec.get("default", "")),
        platforms=tuple(spec.get("platforms", (GITHUB, GITLAB))),
        gitlab_name=spec.get("gitlab-name"),
        secret=bool(spec.get("secret", False)),
        variable=spec.get("variable"),
        options=tuple(str(option) for option in spec.get("options", ())),
        type=str(spec.get("type", "string")),
    )
