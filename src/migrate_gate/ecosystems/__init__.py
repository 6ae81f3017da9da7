"""The registry of migration tools, in detection order."""

from __future__ import annotations

from . import alembic, django, goose, knex, prisma, rails
from .base import Ecosystem

ECOSYSTEMS: dict[str, Ecosystem] = {
    "alembic": alembic,
    "django": django,
    "goose": goose,
    "rails": rails,
    "knex": knex,
    "prisma": prisma,
    # (other ecosystems register here, one line each)
}
