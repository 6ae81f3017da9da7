"""migrate-gate: run database migrations in CI/CD and report exactly what happened."""

__version__ = "0.1.0"
