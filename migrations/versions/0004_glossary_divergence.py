"""glossary divergence: stored pairwise similarities of definitions

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "definition_similarities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.Integer(), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("low_id < high_id", name=op.f("ck_definition_similarities_ordered")),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_definition_similarities_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["high_id"],
            ["definitions.id"],
            name=op.f("fk_definition_similarities_high_id_definitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["low_id"],
            ["definitions.id"],
            name=op.f("fk_definition_similarities_low_id_definitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_similarities")),
        sa.UniqueConstraint(
            "low_id", "high_id", name=op.f("uq_definition_similarities_low_id_high_id")
        ),
    )
    with op.batch_alter_table("definition_similarities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_definition_similarities_concept_id"), ["concept_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_definition_similarities_high_id"), ["high_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("definition_similarities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_definition_similarities_high_id"))
        batch_op.drop_index(batch_op.f("ix_definition_similarities_concept_id"))
    op.drop_table("definition_similarities")
