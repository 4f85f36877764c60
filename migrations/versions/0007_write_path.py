"""write path: catalogue version, coverage rollups, date precision, source checksums, slim audit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 15:00:00.000000

"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_precision', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('source_checksum', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('body_set', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_standards_source_checksum'), ['source_checksum'],
                              unique=False)
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checksum', sa.String(length=64), nullable=True))

    state = op.create_table('catalogue_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_state'))
    )
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
    op.create_table('year_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('body_set', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('standards', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_coverage')),
    sa.UniqueConstraint('year', 'body_set', 'status', name=op.f('uq_year_coverage_year_body_set_status'))
    )

    # Derived data for what is already there (the writers keep it from now on).
    bind = op.get_bind()
    op.bulk_insert(state, [{'id': 1, 'version': 0}])
    bodies = defaultdict(list)
    for standard_id, body_id in bind.execute(sa.text(
            'SELECT standard_id, body_id FROM standard_bodies ORDER BY body_id')):
        bodies[standard_id].append(str(body_id))
    if bodies:
        bind.execute(sa.text('UPDATE standards SET body_set = :b WHERE id = :i'),
                     [{'i': i, 'b': ','.join(ids)} for i, ids in bodies.items()])
    bind.execute(sa.text(
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
    year = ("CAST(EXTRACT(YEAR FROM published) AS INTEGER)" if bind.dialect.name == 'postgresql'
            else "CAST(strftime('%Y', published) AS INTEGER)")
    bind.execute(sa.text(
        f'INSERT INTO year_coverage (year, body_set, status, standards) '
        f'SELECT {year}, body_set, status, count(*) FROM standards '
        f'WHERE published IS NOT NULL GROUP BY {year}, body_set, status'))


def downgrade():
    op.drop_table('year_coverage')
    op.drop_table('area_coverage')
    op.drop_table('catalogue_state')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_column('checksum')
    with op.batch_alter_table('standards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standards_source_checksum'))
        batch_op.drop_column('body_set')
        batch_op.drop_column('source_checksum')
        batch_op.drop_column('published_precision')
