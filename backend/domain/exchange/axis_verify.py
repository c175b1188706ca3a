"""Check what we receive over the axis before anything is stored (domain.md §8.2, §12.2; TT 41/2017).

:func:`check_package` runs before any incoming document is created. The package must carry a valid
XML signature (:func:`.edxml.signature.verify`) whose certificate chains to the trust store the PDF
verification uses (``TRUST_ROOTS``; the development CA in the demo). A package **without** a
signature is refused: domain.md §8.2 asks the receiver to check authenticity before accepting and
§8.4 answers an invalid signature with 02; without one, who sent the metadata cannot be checked.
Every PDF attachment is verified too (:func:`~.delivery.verify_received`, the platform's check): a PDF
whose signature does not hold -- modified, invalid, untrusted, expired or revoked -- refuses the
package; an unsigned PDF is accepted with its verification recorded, as on the platform. A refusal is
:class:`~.axis_intake.PackageRefused` with the Vietnamese reason for the status 02.

:func:`status_refusal` holds a received **status message** to the same rule: it moves the sender's tracking
only when its XML signature is valid and trusted (domain.md §8.2 asks for authenticity before anything is
accepted, §8.4 rejects an invalid signature, and nothing there exempts status messages). A status message is
not answered with a status: the refusal is logged and audited, and the message acknowledged ``fail``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.config.settings import Settings
from backend.domain.exchange.axis_intake import PackageRefused
from backend.domain.exchange.delivery import trust_roots, verify_received
from backend.domain.exchange.edxml.model import Package
from backend.domain.exchange.edxml.signature import SignatureReport, verify
from backend.domain.signing.verification import load_certificates
from backend.lib.i18n import t

__all__ = ["ReceivedChecks", "check_package", "status_refusal"]


@dataclass(frozen=True, slots=True)
class ReceivedChecks:
    """What :func:`check_package` found: the package signature and the main PDF's verification."""

    signature: SignatureReport
    main_pdf_ok: bool
    main_pdf_checks: list[dict[str, str]] = field(default_factory=list)

    @property
    def recorded(self) -> tuple[bool, list[dict[str, str]]]:
        """What the arrival keeps: the main PDF's verdict, its checks and the package signature's line."""
        package_line = {"field": "edXML", "signer": self.signature.signer, "organization": self.signature.organization,
                        "verdict": str(self.signature.state), "message": self.signature.reason, "signed_at": ""}
        return self.main_pdf_ok, [*self.main_pdf_checks, package_line]


def _pdf_refusal(name: str, checks: list[dict[str, str]]) -> str | None:
    bad = [c for c in checks if c["verdict"] not in ("valid", "unsigned")]
    if not bad:
        return None
    reasons = "; ".join(f"{c['signer'] or '?'}: {c['message']}" for c in bad)
    return t("exchange.axis.in.pdf_signature", name=name, reasons=reasons)


async def check_package(settings: Settings, raw: bytes, package: Package) -> ReceivedChecks:
    """The package signature and every PDF attachment's signatures, checked before anything is stored.

    Raises:
        PackageRefused: the package signature is absent or does not hold, or a PDF's signature does not.
    """
    roots = trust_roots(settings)
    report = await verify(raw, load_certificates(roots))
    if not report.ok:
        raise PackageRefused(report.reason)
    main: tuple[bool, list[dict[str, str]]] | None = None
    for attachment in package.attachments:
        if attachment.content_type != "application/pdf" and not attachment.name.lower().endswith(".pdf"):
            continue
        ok, checks = await verify_received(settings, attachment.data)
        refusal = _pdf_refusal(attachment.name, checks)
        if refusal is not None:
            raise PackageRefused(refusal)
        main = main or (ok, checks)
    return ReceivedChecks(report, *(main or (False, [])))


async def status_refusal(settings: Settings, raw: bytes) -> str | None:
    """Why the received status message ``raw`` is refused (no valid, trusted signature); ``None`` when it holds."""
    report = await verify(raw, load_certificates(trust_roots(settings)))
    return None if report.ok else report.reason
