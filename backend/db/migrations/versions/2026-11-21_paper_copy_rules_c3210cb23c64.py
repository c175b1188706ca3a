"""paper copy rules

The deployment-wide list of document types and summary keywords whose outgoing documents must
also travel on paper (domain.md §22), edited by the province's administrators on
``/admin/paper-copy``.

Seeding: creating the table is the one moment the list has never been initialised, so this
migration fills it from ``PAPER_COPY_CATEGORIES`` as the environment running it sets it (unset:
the built-in personnel and budget keywords; ``off``: an empty list). ``type:<code>`` entries
must name a national document type (an unknown code stops the migration, before any change, with
a hint). Later runs never read the variable again: the table is the truth.

Revision ID: c3210cb23c64
Revises: b122a7d4a7e9
Create Date: 2026-11-21 14:51:17.149825
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import backend.db.base
from backend.config.settings import SettingsError, initial_paper_copy_categories
from backend.lib.text import clean, fold

revision = 'c3210cb23c64'
down_revision = 'b122a7d4a7e9'
branch_labels = None
depends_on = None

_TYPE_PREFIX = 'type:'


def _initial_rules() -> list[dict[str, Any]]:
    """Rows for ``PAPER_COPY_CATEGORIES`` (duplicates dropped), or :class:`SettingsError`."""
    categories = initial_paper_copy_categories(os.environ)
    document_type = sa.table('document_type', sa.column('id', sa.Integer), sa.column('code', sa.String),
                             sa.column('agency_id', sa.Integer))
    known = dict(op.get_bind().execute(
        sa.select(document_type.c.code, document_type.c.id).where(document_type.c.agency_id.is_(None))).all())
    unknown = sorted({entry[len(_TYPE_PREFIX):] for entry in categories if entry.startswith(_TYPE_PREFIX)} - set(known))
    if unknown:
        names = ', '.join(repr(code) for code in unknown)
        raise SettingsError(
            f'PAPER_COPY_CATEGORIES có mã loại văn bản không tồn tại: {names}. Dùng mã như type:quyet_dinh.\n'
            f'  (PAPER_COPY_CATEGORIES names unknown document type codes {names}; use codes like type:quyet_dinh.)')
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    seen: set[object] = set()
    for entry in categories:
        if entry.startswith(_TYPE_PREFIX):
            type_id, keyword, key = known[entry[len(_TYPE_PREFIX):]], '', None
        else:
            keyword = clean(entry)[:100]
            type_id, key = None, fold(keyword)
        marker = type_id if type_id is not None else key
        if not marker or marker in seen:
            continue
        seen.add(marker)
        rows.append({'kind': 'document_type' if type_id else 'keyword', 'document_type_id': type_id,
                     'keyword': keyword, 'keyword_key': key, 'note': '', 'is_active': True, 'version': 1,
                     'created_at': now, 'updated_at': now})
    return rows


def upgrade() -> None:
    rows = _initial_rules()  # validated before anything is created
    op.create_table('paper_copy_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('document_type', 'keyword', name='paper_copy_rule_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('document_type_id', sa.Integer(), nullable=True),
    sa.Column('keyword', sa.String(length=100), nullable=False),
    sa.Column('keyword_key', sa.String(length=100), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'document_type' AND document_type_id IS NOT NULL AND keyword_key IS NULL) OR (kind = 'keyword' AND document_type_id IS NULL AND keyword_key IS NOT NULL)", name=op.f('ck_paper_copy_rule_target')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_paper_copy_rule_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_type.id'], name=op.f('fk_paper_copy_rule_document_type_id_document_type')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_paper_copy_rule_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_copy_rule')),
    sa.UniqueConstraint('document_type_id', name=op.f('uq_paper_copy_rule_document_type_id')),
    sa.UniqueConstraint('keyword_key', name=op.f('uq_paper_copy_rule_keyword_key'))
    )
    rule = sa.table(
        'paper_copy_rule', sa.column('kind', sa.String), sa.column('document_type_id', sa.Integer),
        sa.column('keyword', sa.String), sa.column('keyword_key', sa.String), sa.column('note', sa.String),
        sa.column('is_active', sa.Boolean), sa.column('version', sa.Integer),
        sa.column('created_at', backend.db.base.UTCDateTime()), sa.column('updated_at', backend.db.base.UTCDateTime()),
    )
    if rows:
        op.bulk_insert(rule, rows)


def downgrade() -> None:
    op.drop_table('paper_copy_rule')
