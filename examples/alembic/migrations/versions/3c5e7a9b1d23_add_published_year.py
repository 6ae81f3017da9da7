"""add books.published_year and an index on it

Revision ID: 3c5e7a9b1d23
Revises: 2b4d6f8a0c12
Create Date: 2026-11-24 09:02:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3c5e7a9b1d23"
down_revision = "2b4d6f8a0c12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("books", sa.Column("published_year", sa.Integer, nullable=True))
    op.create_index("ix_books_published_year", "books", ["published_year"])


def downgrade() -> None:
    op.drop_index("ix_books_published_year", table_name="books")
    op.drop_column("books", "published_year")
