"""The registry of migration tools, in detection order."""

from __future__ import annotations

from . import alembic, django
from .base import Ecosystem

ECOSYSTEMS: dict[str, Ecosystem] = {
    "alembic": alembic,
    "django": django,
    # (other ecosystems register here, one line each)
}
