"""Only the workflow engine may change a stored document's state: checked at runtime, not by grep."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import make_transient_to_detached

from backend.db.models import IncomingDocument, IncomingState, OutgoingDocument, OutgoingState
from backend.db.state_guard import StateWriteError, state_writer


def _stored(doc: IncomingDocument | OutgoingDocument) -> IncomingDocument | OutgoingDocument:
    """The object as a loaded row looks to SQLAlchemy (it has an identity)."""
    make_transient_to_detached(doc)
    return doc


@pytest.mark.parametrize(("model", "initial", "other"), [
    (IncomingDocument, IncomingState.RECEIVED, IncomingState.COMPLETED),
    (OutgoingDocument, OutgoingState.DRAFT, OutgoingState.ISSUED),
])
def test_a_new_document_takes_its_initial_state(model: type, initial: str, other: str) -> None:
    doc = model(id=1, agency_id=1, state=initial)
    doc.state = other  # still transient: not a stored document yet
    assert doc.state == other


@pytest.mark.parametrize(("model", "initial", "other"), [
    (IncomingDocument, IncomingState.RECEIVED, IncomingState.COMPLETED),
    (OutgoingDocument, OutgoingState.DRAFT, OutgoingState.ISSUED),
])
def test_code_outside_the_engine_cannot_move_a_stored_document(model: type, initial: str, other: str) -> None:
    doc = _stored(model(id=7, agency_id=1, state=initial))
    with pytest.raises(StateWriteError, match=r"\.state may only be changed by the workflow engine"):
        doc.state = other
    assert doc.state == initial


def test_the_engine_window_allows_the_write_and_closes_after_it() -> None:
    doc = _stored(OutgoingDocument(id=8, agency_id=1, state=OutgoingState.DRAFT))
    with state_writer():
        doc.state = OutgoingState.UNIT_REVIEW
    assert doc.state == OutgoingState.UNIT_REVIEW
    with pytest.raises(StateWriteError):
        doc.state = OutgoingState.DRAFT


def test_the_engine_window_closes_even_when_the_block_fails() -> None:
    doc = _stored(IncomingDocument(id=9, agency_id=1, state=IncomingState.RECEIVED))
    with pytest.raises(RuntimeError), state_writer():
        raise RuntimeError("effect failed")
    with pytest.raises(StateWriteError):
        doc.state = IncomingState.REGISTERED
