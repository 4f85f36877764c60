"""search documents and lexicon (the PostgreSQL search backend)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 16:15:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TSV = sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql')


def upgrade():
    op.create_table('search_documents',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('concept_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.Column('display', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('bodies', sa.Text(), nullable=False),
    sa.Column('langs', sa.Text(), nullable=False),
    sa.Column('areas', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('tsv', TSV, nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_kind', ['kind'], unique=False)
        batch_op.create_index('ix_search_documents_tsv', ['tsv'], unique=False,
                              postgresql_using='gin')

    op.create_table('search_words',
    sa.Column('word', sa.String(length=100), nullable=False),
    sa.Column('docs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words'))
    )


def downgrade():
    op.drop_table('search_words')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_tsv')
        batch_op.drop_index('ix_search_documents_kind')

    op.drop_table('search_documents')
