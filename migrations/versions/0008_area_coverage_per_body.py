"""area coverage per body: one row per body and one for every body, instead of body sets

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

RECOUNT = (
    'INSERT INTO area_coverage (area_id, body_id, status, doc_type, measurement, standards, '
    'latest_published) '
    'WITH RECURSIVE tree(ancestor_id, area_id) AS ('
    '  SELECT id, id FROM areas'
    '  UNION SELECT tree.ancestor_id, a.id FROM tree JOIN areas a ON a.parent_id = tree.area_id'
    '), cov AS ('
    '  SELECT DISTINCT tree.ancestor_id AS area_id, sa.standard_id FROM tree'
    '  JOIN standard_areas sa ON sa.area_id = tree.area_id'
    '), facts AS ('
    '  SELECT cov.area_id, 0 AS body_id, s.status, s.doc_type, s.measurement_evaluation,'
    '         s.published FROM cov JOIN standards s ON s.id = cov.standard_id'
    '  UNION ALL'
    '  SELECT cov.area_id, sb.body_id, s.status, s.doc_type, s.measurement_evaluation,'
    '         s.published FROM cov JOIN standards s ON s.id = cov.standard_id'
    '  JOIN standard_bodies sb ON sb.standard_id = s.id'
    ') SELECT area_id, body_id, status, doc_type, measurement_evaluation, count(*), '
    'max(published) FROM facts '
    'GROUP BY area_id, body_id, status, doc_type, measurement_evaluation'
)


def upgrade():
    op.drop_table('area_coverage')
    op.create_table('area_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('measurement', sa.Boolean(), nullable=False),
    sa.Column('standards', sa.Integer(), nullable=False),
    sa.Column('latest_published', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_area_coverage_area_id_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_coverage')),
    sa.UniqueConstraint('body_id', 'area_id', 'status', 'doc_type', 'measurement', name=op.f('uq_area_coverage_body_id_area_id_status_doc_type_measurement'))
    )
    op.get_bind().execute(sa.text(RECOUNT))


def downgrade():
    op.drop_table('area_coverage')
    op.create_table('area_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('body_set', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('measurement', sa.Boolean(), nullable=False),
    sa.Column('standards', sa.Integer(), nullable=False),
    sa.Column('latest_published', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_area_coverage_area_id_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_coverage')),
    sa.UniqueConstraint('area_id', 'body_set', 'status', 'doc_type', 'measurement', name=op.f('uq_area_coverage_area_id_body_set_status_doc_type_measurement'))
    )
    op.get_bind().execute(sa.text(
        'INSERT INTO area_coverage (area_id, body_set, status, doc_type, measurement, '
        'standards, latest_published) '
        'WITH RECURSIVE tree(ancestor_id, area_id) AS ('
        '  SELECT id, id FROM areas'
        '  UNION SELECT tree.ancestor_id, a.id FROM tree JOIN areas a ON a.parent_id = tree.area_id'
        '), cov AS ('
        '  SELECT DISTINCT tree.ancestor_id AS area_id, sa.standard_id FROM tree'
        '  JOIN standard_areas sa ON sa.area_id = tree.area_id'
        ') SELECT cov.area_id, s.body_set, s.status, s.doc_type, s.measurement_evaluation, '
        'count(*), max(s.published) FROM cov JOIN standards s ON s.id = cov.standard_id '
        'GROUP BY cov.area_id, s.body_set, s.status, s.doc_type, s.measurement_evaluation'))
