"""The registry of migration tools, in detection order."""

from __future__ import annotations

from . import alembic, django, goose, rails
from .base import Ecosystem

ECOSYSTEMS: dict[str, Ecosystem] = {
    "alembic": alembic,
    "django": django,
    "goose": goose,
    "rails": rails,
    # (other ecosystems register here, one line each)
}
