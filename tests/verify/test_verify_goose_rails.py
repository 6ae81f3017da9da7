"""verify with the real goose and Rails on PostgreSQL and SQLite: reversible histories
pass one migration per step; a lossy or missing down fails, naming the migration."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from backends import Backend, make_backend
from helpers import CliResult, copy_project, run_cli
from toolchains import installed_goose, locked_rails_app

VERSIONS = {
    "goose": ["1", "2", "3"],
    "rails": ["20240101000100", "20240101000200", "20240101000300"],
}
FOLDER = {"goose": "migrations", "rails": "db/migrate"}
# The index the fixture's last migration makes: there after verify, like after `migrate`.
LAST_INDEX = {"goose": "books_title_idx", "rails": "index_books_on_title"}
# How each tool run is labelled on stderr: one up to a version, one down, all the way up.
UP_TO = {"goose": "goose up-to ", "rails": "bin/rails db:migrate VERSION="}
DOWN = {"goose": "goose down", "rails": "bin/rails db:rollback STEP=1"}
UP = {"goose": "goose up", "rails": "bin/rails db:migrate"}
# What a tool prints for each migration it ran, up or down.
_RAN = {
    "goose": re.compile(r"\bOK\s+0*(\d+)_\S+\.sql"),
    "rails": re.compile(r"^== (\d+) \w+: (?:migrated|reverted)"),
}

# Up adds an index and drops authors.name; down re-adds name as another type, forgets the index.
LOSSY = {
    "goose": (
        "00004_trim_authors.sql",
        """-- +goose Up
CREATE INDEX books_author_title_idx ON books (author_id, title);
ALTER TABLE authors DROP COLUMN name;

-- +goose Down
ALTER TABLE authors ADD COLUMN name VARCHAR(100);
""",
    ),
    "rails": (
        "20240101000400_trim_authors.rb",
        """class TrimAuthors < ActiveRecord::Migration[6.1]
  def up
    add_index :books, [:author_id, :title]
    remove_column :authors, :name
  end

  def down
    add_column :authors, :name, :text
  end
end
""",
    ),
}
# A sound migration after the lossy one: its down passes before the lossy one is judged.
AFTER_LOSSY = {
    "goose": (
        "00005_create_reviews.sql",
        """-- +goose Up
CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books (id));

-- +goose Down
DROP TABLE reviews;
""",
    ),
    "rails": (
        "20240101000500_create_reviews.rb",
        """class CreateReviews < ActiveRecord::Migration[6.1]
  def change
    create_table :reviews do |t|
      t.references :book, null: false, foreign_key: true
    end
  end
end
""",
    ),
}
LOSSY_DIFF = {
    ("goose", "postgresql"): [
        "~ column authors.name: text not null -> character varying(100) null",
        "+ index books.books_author_title_idx (CREATE INDEX books_author_title_idx"
        " ON public.books USING btree (author_id, title))",
    ],
    ("goose", "sqlite"): [
        "~ column authors.name: text not null -> varchar(100) null",
        "+ index books.books_author_title_idx (CREATE INDEX books_author_title_idx"
        " ON books (author_id, title))",
    ],
    ("rails", "postgresql"): [
        "~ column authors.name: character varying not null -> text null",
        "+ index books.index_books_on_author_id_and_title (CREATE INDEX"
        " index_books_on_author_id_and_title ON public.books USING btree (author_id, title))",
    ],
    ("rails", "sqlite"): [
        "~ column authors.name: varchar not null -> text null",
        '+ index books.index_books_on_author_id_and_title (CREATE INDEX "index_books_on_author_id_'
        'and_title" ON "books" ("author_id", "title"))',
    ],
}

GOOSE_EMPTY_DOWN = """-- +goose Up
CREATE INDEX books_author_title_idx ON books (author_id, title);

-- +goose Down
"""
# The two ways a Rails migration has no down; one per backend to keep Rails runs few.
RAILS_RAISES = """class IndexBooksAuthorTitle < ActiveRecord::Migration[6.1]
  def up
    add_index :books, [:author_id, :title]
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
"""
RAILS_CHANGE_EXECUTES = """class IndexBooksAuthorTitle < ActiveRecord::Migration[6.1]
  def change
    execute "CREATE INDEX books_author_title ON books (author_id, title)"
  end
end
"""


@dataclass
class App:
    """A fresh copy of the goose or Rails fixture project and the database verify walks."""

    ecosystem: str
    backend: Backend
    env: dict[str, str]

    @property
    def versions(self) -> list[str]:
        return VERSIONS[self.ecosystem]

    def add(self, name: str, text: str) -> None:
        (self.backend.project / FOLDER[self.ecosystem] / name).write_text(text)

    def indexes(self) -> set[str]:
        sql = (
            "select name from sqlite_master where type = 'index'"
            if self.backend.kind == "sqlite"
            else "select indexname from pg_indexes where schemaname = 'public'"
        )
        return {row[0] for row in self.backend.rows(sql)}


@pytest.fixture(scope="module")
def goose_binary() -> Path:
    """The pinned goose from scripts/setup/goose.sh; missing, it fails the tests, never skips."""
    return installed_goose()


@pytest.fixture(scope="module")
def rails_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Rails fixture app with a Gemfile.lock pinning this machine's Debian gems."""
    return locked_rails_app(tmp_path_factory.mktemp("rails-template") / "rails")


@pytest.fixture(params=["goose", "rails"])
def app(request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path) -> App:
    ecosystem = str(request.param)
    if ecosystem == "goose":
        binary = request.getfixturevalue("goose_binary")
        project = copy_project("goose", tmp_path)
        env = {"MIGRATE_GATE_GOOSE": str(binary)}
    else:
        project = tmp_path / "rails"
        shutil.copytree(request.getfixturevalue("rails_template"), project)
        env = {}
    return App(ecosystem, make_backend(request, backend_kind, project), env)


def verify(app: App) -> CliResult:
    backend = app.backend
    result = run_cli(
        "verify", "--json", "--database-url", backend.url, cwd=backend.project, env=app.env
    )
    if backend.password:
        result.assert_no_secret(backend.password)
    return result


def tool_runs(app: App, stderr: str) -> list[tuple[str, list[str]]]:
    """Each tool run that changed the schema ("$ label" on stderr) with the versions it ran."""
    runs: list[tuple[str, list[str]]] = []
    for line in stderr.splitlines():
        if line.startswith("$ "):
            runs.append((line[2:], []))
        elif runs and (match := _RAN[app.ecosystem].search(line)):
            runs[-1][1].append(str(int(match[1])))
    return [run for run in runs if "db:migrate:status" not in run[0]]


def test_reversible_history_passes_one_migration_per_step(app: App) -> None:
    result = verify(app)
    assert result.returncode == 0, result.stderr
    report = result.report
    assert (report["status"], report["command"], report["ecosystem"]) == (
        "success",
        "verify",
        app.ecosystem,
    )
    versions, eco = app.versions, app.ecosystem
    assert [c["migration"] for c in report["checks"]] == list(reversed(versions))
    assert {c["result"] for c in report["checks"]} == {"passed"}
    assert all(c["diff"] == [] for c in report["checks"])
    # the ids verify targets are read_state's, and each step ran exactly that one migration
    assert tool_runs(app, result.stderr) == [
        *[(f"{UP_TO[eco]}{v}", [v]) for v in versions],
        *[(DOWN[eco], [v]) for v in reversed(versions)],
        (UP[eco], versions),
    ]
    assert report["applied"] == versions and report["pending"] == []
    assert LAST_INDEX[eco] in app.indexes()  # left migrated, like after `migrate`


def test_lossy_down_fails_naming_that_migration(app: App) -> None:
    lossy, after = LOSSY[app.ecosystem], AFTER_LOSSY[app.ecosystem]
    app.add(*lossy)
    app.add(*after)
    result = verify(app)
    assert result.returncode == 1, result.stderr
    report = result.report
    name = lossy[0].split("_", 1)[0].lstrip("0")
    assert report["status"] == "failed" and report["error"].startswith(f"{name}: ")
    passed, failed = report["checks"]
    assert passed == {
        "migration": after[0].split("_", 1)[0].lstrip("0"),
        "result": "passed",
        "message": "",
        "diff": [],
    }
    assert (failed["migration"], failed["result"]) == (name, "failed")
    assert failed["message"] == "its down does not restore the schema from before its up"
    assert failed["diff"] == LOSSY_DIFF[app.ecosystem, app.backend.kind]


def test_migration_without_a_down_is_reported_irreversible(app: App) -> None:
    if app.ecosystem == "goose":
        app.add("00004_index_books_author_title.sql", GOOSE_EMPTY_DOWN)
        name = "4"
    else:
        text = RAILS_CHANGE_EXECUTES if app.backend.kind == "postgresql" else RAILS_RAISES
        app.add("20240101000400_index_books_author_title.rb", text)
        name = "20240101000400"
    result = verify(app)
    assert result.returncode == 1, result.stderr
    report = result.report
    assert report["status"] == "failed" and report["error"].startswith(f"{name}: ")
    [check] = report["checks"]
    assert (check["migration"], check["result"]) == (name, "irreversible")
    if app.ecosystem == "goose":
        # goose runs the empty Down and forgets the version: the index stays
        assert check["message"] == "its down changed nothing"
        assert len(check["diff"]) == 1
        assert check["diff"][0].startswith("+ index books.books_author_title_idx (CREATE INDEX")
    else:
        assert "ActiveRecord::IrreversibleMigration" in check["message"]
        assert "IndexBooksAuthorTitle" in check["message"]


def test_goose_custom_version_table_is_bookkeeping(
    request: pytest.FixtureRequest, backend_kind: str, tmp_path: Path, goose_binary: Path
) -> None:
    """GOOSE_TABLE renames goose's version table: it still is not part of the schema compared."""
    backend = make_backend(request, backend_kind, copy_project("goose", tmp_path))
    app = App("goose", backend, {"MIGRATE_GATE_GOOSE": str(goose_binary)})
    app.env["GOOSE_TABLE"] = "deploy_versions"
    result = verify(app)
    assert result.returncode == 0, result.report.get("error")
    assert {check["result"] for check in result.report["checks"]} == {"passed"}
    assert "deploy_versions" in backend.tables()
