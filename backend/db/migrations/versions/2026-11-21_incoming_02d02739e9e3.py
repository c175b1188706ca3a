"""incoming

Incoming documents: document types (seeded with the ND 30 table of domain.md §3.1 and common
legal normative types), stored files, the per-agency yearly arrival counter, incoming documents,
their assignments and their processing history.

Revision ID: 02d02739e9e3
Revises: fa8d45b029dc
Create Date: 2026-11-21 12:14:37.069573
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = '02d02739e9e3'
down_revision = 'fa8d45b029dc'
branch_labels = None
depends_on = None

# (code, name, abbreviation, category): ND 30 Đ.7 / PL III in legal order, then legal normative types.
DOCUMENT_TYPES = [
    ("nghi_quyet", "Nghị quyết (cá biệt)", "NQ", "administrative"),
    ("quyet_dinh", "Quyết định (cá biệt)", "QĐ", "administrative"),
    ("chi_thi", "Chỉ thị", "CT", "administrative"),
    ("quy_che", "Quy chế", "QC", "administrative"),
    ("quy_dinh", "Quy định", "QyĐ", "administrative"),
    ("thong_cao", "Thông cáo", "TC", "administrative"),
    ("thong_bao", "Thông báo", "TB", "administrative"),
    ("huong_dan", "Hướng dẫn", "HD", "administrative"),
    ("chuong_trinh", "Chương trình", "CTr", "administrative"),
    ("ke_hoach", "Kế hoạch", "KH", "administrative"),
    ("phuong_an", "Phương án", "PA", "administrative"),
    ("de_an", "Đề án", "ĐA", "administrative"),
    ("du_an", "Dự án", "DA", "administrative"),
    ("bao_cao", "Báo cáo", "BC", "administrative"),
    ("bien_ban", "Biên bản", "BB", "administrative"),
    ("to_trinh", "Tờ trình", "TTr", "administrative"),
    ("hop_dong", "Hợp đồng", "HĐ", "administrative"),
    ("cong_dien", "Công điện", "CĐ", "administrative"),
    ("ban_ghi_nho", "Bản ghi nhớ", "BGN", "administrative"),
    ("ban_thoa_thuan", "Bản thỏa thuận", "BTT", "administrative"),
    ("giay_uy_quyen", "Giấy ủy quyền", "GUQ", "administrative"),
    ("giay_moi", "Giấy mời", "GM", "administrative"),
    ("giay_gioi_thieu", "Giấy giới thiệu", "GGT", "administrative"),
    ("giay_nghi_phep", "Giấy nghỉ phép", "GNP", "administrative"),
    ("phieu_gui", "Phiếu gửi", "PG", "administrative"),
    ("phieu_chuyen", "Phiếu chuyển", "PC", "administrative"),
    ("phieu_bao", "Phiếu báo", "PB", "administrative"),
    ("cong_van", "Công văn", "", "administrative"),
    ("thu_cong", "Thư công", "", "administrative"),
    ("luat", "Luật", "", "legal"),
    ("nghi_dinh", "Nghị định", "NĐ", "legal"),
    ("thong_tu", "Thông tư", "TT", "legal"),
]


def upgrade() -> None:
    op.create_table('arrival_counter',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_arrival_counter_agency_id_agency')),
    sa.PrimaryKeyConstraint('agency_id', 'year', name=op.f('pk_arrival_counter'))
    )
    op.create_table('document_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('abbreviation', sa.String(length=10), nullable=False),
    sa.Column('category', sa.Enum('administrative', 'legal', 'specialised', name='document_type_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_document_type_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_type')),
    sa.UniqueConstraint('code', name=op.f('uq_document_type_code'))
    )
    with op.batch_alter_table('document_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_type_agency_id'), ['agency_id'], unique=False)

    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_stored_file_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_sha256'), ['sha256'], unique=False)

    op.create_table('incoming_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('received', 'registered', 'submitted', 'assigned', 'in_progress', 'completed', 'returned', name='incoming_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('urgency', sa.Enum('normal', 'khan', 'thuong_khan', 'hoa_toc', name='urgency', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('electronic', 'paper', 'email', name='document_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('document_type_id', sa.Integer(), nullable=False),
    sa.Column('code_number', sa.String(length=11), nullable=False),
    sa.Column('code_notation', sa.String(length=30), nullable=False),
    sa.Column('issuer_name', sa.String(length=200), nullable=False),
    sa.Column('issuer_key', sa.String(length=200), nullable=False),
    sa.Column('issuer_agency_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=30), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('signer_position', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('document_identifier', sa.String(length=100), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('reply_by_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('classification', sa.Enum('unclassified', 'needs_reply', 'for_information', name='classification', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('arrival_year', sa.Integer(), nullable=True),
    sa.Column('arrival_number', sa.Integer(), nullable=True),
    sa.Column('received_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registered_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('reply_reference', sa.String(length=100), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_incoming_document_agency_id_agency')),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_type.id'], name=op.f('fk_incoming_document_document_type_id_document_type')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['incoming_document.id'], name=op.f('fk_incoming_document_duplicate_of_id_incoming_document')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_incoming_document_file_id_stored_file')),
    sa.ForeignKeyConstraint(['issuer_agency_id'], ['agency.id'], name=op.f('fk_incoming_document_issuer_agency_id_agency')),
    sa.ForeignKeyConstraint(['received_by_id'], ['user_account.id'], name=op.f('fk_incoming_document_received_by_id_user_account')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_incoming_document_registered_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_document')),
    sa.UniqueConstraint('agency_id', 'arrival_year', 'arrival_number', name=op.f('uq_incoming_document_agency_id_arrival_year_arrival_number'))
    )
    with op.batch_alter_table('incoming_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incoming_document_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incoming_document_issuer_key'), ['issuer_key'], unique=False)
        batch_op.create_index('ix_incoming_document_inbox', ['agency_id', 'priority', 'received_at', 'id'], unique=False)
        batch_op.create_index('ix_incoming_document_state', ['agency_id', 'state'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('lead', 'coordinate', 'inform', name='assignment_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('assignee_unit_id', sa.Integer(), nullable=True),
    sa.Column('assignee_user_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('assigned_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'in_progress', 'done', 'cancelled', name='assignment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('proposal_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('assignee_unit_id IS NOT NULL OR assignee_user_id IS NOT NULL', name=op.f('ck_assignment_has_assignee')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_assignment_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['assignee_unit_id'], ['unit.id'], name=op.f('fk_assignment_assignee_unit_id_unit')),
    sa.ForeignKeyConstraint(['assignee_user_id'], ['user_account.id'], name=op.f('fk_assignment_assignee_user_id_user_account')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_assignment_incoming_id_incoming_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['assignment.id'], name=op.f('fk_assignment_parent_id_assignment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_assignee_unit_id'), ['assignee_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_assignee_user_id'), ['assignee_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_incoming_id'), ['incoming_id'], unique=False)

    op.create_table('incoming_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=False),
    sa.Column('at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_incoming_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_incoming_event_incoming_id_incoming_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_event'))
    )
    with op.batch_alter_table('incoming_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incoming_event_incoming_id'), ['incoming_id'], unique=False)

    document_type = sa.table(
        'document_type', sa.column('code', sa.String), sa.column('name', sa.String),
        sa.column('abbreviation', sa.String), sa.column('category', sa.String), sa.column('sort_order', sa.Integer),
        sa.column('is_active', sa.Boolean), sa.column('created_at', backend.db.base.UTCDateTime()),
        sa.column('updated_at', backend.db.base.UTCDateTime()),
    )
    seeded_at = datetime(2026, 11, 21, tzinfo=UTC)
    op.bulk_insert(document_type, [
        {'code': code, 'name': name, 'abbreviation': abbreviation, 'category': category, 'sort_order': index,
         'is_active': True, 'created_at': seeded_at, 'updated_at': seeded_at}
        for index, (code, name, abbreviation, category) in enumerate(DOCUMENT_TYPES, start=1)
    ])


def downgrade() -> None:
    with op.batch_alter_table('incoming_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incoming_event_incoming_id'))

    op.drop_table('incoming_event')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_incoming_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_assignee_user_id'))
        batch_op.drop_index(batch_op.f('ix_assignment_assignee_unit_id'))

    op.drop_table('assignment')
    with op.batch_alter_table('incoming_document', schema=None) as batch_op:
        batch_op.drop_index('ix_incoming_document_state')
        batch_op.drop_index('ix_incoming_document_inbox')
        batch_op.drop_index(batch_op.f('ix_incoming_document_issuer_key'))
        batch_op.drop_index(batch_op.f('ix_incoming_document_agency_id'))

    op.drop_table('incoming_document')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_sha256'))

    op.drop_table('stored_file')
    with op.batch_alter_table('document_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_type_agency_id'))

    op.drop_table('document_type')
    op.drop_table('arrival_counter')
