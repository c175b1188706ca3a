"""``edxml inspect FILE...``: parse packages a partner sent and print their fields as JSON.

For each file: a document package's ``DocumentId``, business type, sender, recipients, number and
symbol, dates, subject and attachments; a status message's code and the package it reports on.
A refused file is printed with its Vietnamese reason (stdout JSON and stderr) and makes the exit
code 1. A file larger than the package cap is refused without being read.

Each parsed file also gets ``signature``: the state of its XML signature (``valid``, ``absent``,
``malformed``, ``modified``, ``invalid``, ``untrusted``, ``expired``, ``revoked``), the signer, the
algorithms and the reason (:func:`~backend.domain.exchange.edxml.signature.verify`), checked against
the PEM roots given with ``--trust`` (none: a signature that is intact reports ``untrusted``). The
signature state does not change the exit code: receiving refuses what does not verify, inspecting
only reports it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from backend.domain.exchange.edxml.codes import status_label
from backend.domain.exchange.edxml.errors import EdxmlError, PackageTooLargeError
from backend.domain.exchange.edxml.limits import MAX_PACKAGE_BYTES
from backend.domain.exchange.edxml.model import Organ, Package, StatusMessage
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.edxml.signature import verify

__all__ = ["inspect_files"]


def _organ(organ: Organ) -> dict[str, str]:
    return {"organ_id": organ.organ_id, "name": organ.name}


def _package(package: Package) -> dict[str, Any]:
    return {
        "kind": "package",
        "document_id": package.document_id,
        "business_type": package.business.doc_type.name.lower(),
        "business_type_code": int(package.business.doc_type),
        "business_document_id": package.business.document_id,
        "business_reason": package.business.reason,
        "sender": _organ(package.sender),
        "recipients": [_organ(r) for r in package.recipients],
        "code": f"{package.code.number}/{package.code.notation}",
        "promulgation_date": package.promulgation_date.isoformat(),
        "type_name": package.document_type.type_name,
        "subject": package.subject,
        "signer": " ".join(p for p in (package.signer.competence, package.signer.position,
                                       package.signer.full_name) if p),
        "due_date": package.due_date.isoformat() if package.due_date else None,
        "priority": package.other_info.priority,
        "attachments": [{"name": a.name, "content_type": a.content_type, "bytes": len(a.data)}
                        for a in package.attachments],
        "signed": package.signature is not None,
    }


def _status(status: StatusMessage) -> dict[str, Any]:
    return {
        "kind": "status",
        "status_code": status.status_code,
        "status": status_label(status.status_code),
        "description": status.description,
        "sender": _organ(status.sender),
        "response_for": status.response_for.document_id,
        "timestamp": status.timestamp.isoformat(),
    }


def _inspect(path: Path, roots: Sequence[asn1_x509.Certificate]) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_PACKAGE_BYTES:
            raise PackageTooLargeError(size=size, limit=MAX_PACKAGE_BYTES)
        raw = path.read_bytes()
        parsed = parse(raw)
    except EdxmlError as exc:
        return {"file": str(path), "refused": exc.reason}
    except OSError as exc:
        return {"file": str(path), "refused": f"không đọc được tệp ({exc.strerror or exc})"}
    fields = _status(parsed) if isinstance(parsed, StatusMessage) else _package(parsed)
    signature = asyncio.run(verify(raw, roots))
    return {"file": str(path), **fields, "signature": signature.as_dict()}


def inspect_files(paths: list[Path], trust: Sequence[Path] = ()) -> int:
    """Print a JSON list with one object per file; 0 when all parsed, 1 when any was refused.

    ``trust``: PEM files of the roots signatures are checked against.
    """
    roots = [asn1_x509.Certificate.load(der) for path in trust
             for _, _, der in pem.unarmor(path.read_bytes(), multiple=True)]
    results = [_inspect(path, roots) for path in paths]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    refused = [r for r in results if "refused" in r]
    for result in refused:
        print(f"{result['file']}: bị từ chối / refused: {result['refused']}", file=sys.stderr)
    return 1 if refused else 0
