"""create books

Revision ID: 2b4d6f8a0c12
Revises: 1f3a5c7e9b01
Create Date: 2026-11-24 09:01:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2b4d6f8a0c12"
down_revision = "1f3a5c7e9b01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "books",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("authors.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("books")
