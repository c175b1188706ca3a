"""Verification of a received PDF's signatures, in plain words (domain.md §12.2, TT 41/2017).

:func:`verify_pdf` validates every embedded signature with pyHanko (``async_validate_pdf_signature``
against the configured trust roots, its default diff policy for what changed after each
signature) and turns the result into one :class:`SignatureCheck` per signature with a verdict,
checked in this order:

1. ``modified`` -- the signed bytes changed (not intact) or a later revision made changes the diff
   policy does not accept (``docmdp_ok`` false: anything beyond filling existing fields, new
   signatures and long-term-validation data);
2. ``invalid`` -- the signature value does not match the certificate's key;
3. ``revoked`` -- a CRL given by the caller says so, or the caller's list of revoked serials
   (e.g. the signing server's certificate register) has it revoked at or before the signing time;
4. ``expired`` -- the certificate was not valid at the signing time (or, when the path only fails
   because it has expired since, it is re-validated at the claimed signing time: TT 41 asks for a
   certificate valid *at signing*);
5. ``untrusted`` -- no path to a trust root;
6. ``valid`` -- "Hợp lệ".

Messages come from ``backend/locale/vi/signing_pdf.json`` through :func:`backend.lib.i18n.t`.
Revocation is "where determinable": without a CRL or register entry ``revoked`` is ``None``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from backend.lib.i18n import t

__all__ = ["VERDICTS", "SignatureCheck", "VerificationReport", "load_certificates", "verify_pdf"]

log = logging.getLogger(__name__)

VERDICTS = ("valid", "modified", "invalid", "revoked", "expired", "untrusted")
_EXPIRY = {AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.NOT_YET_VALID,
           AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED, AdESFailure.NOT_YET_VALID}
_REVOKED = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The result for one signature, facts first, then the verdict."""

    field_name: str
    signer_name: str
    """Common name of the signing certificate's subject (a person or an agency)."""
    organization: str
    certificate_serial: str
    """Lower-case hex, as in the signing server's register."""
    issuer: str
    signing_time: dt.datetime | None
    """Time claimed by the signer (``/M`` of the signature dictionary); not proven without a timestamp."""
    intact: bool
    valid: bool
    trusted: bool
    expired: bool
    revoked: bool | None
    coverage: str
    """``ENTIRE_FILE`` (last signature) or ``ENTIRE_REVISION`` (later revisions were appended)."""
    modification_level: str | None
    """What later revisions did, as judged by pyHanko: ``NONE``, ``LTA_UPDATES``, ``FORM_FILLING``, ``OTHER``."""
    docmdp_ok: bool | None
    verdict: str
    message: str
    """The verdict in plain Vietnamese ("Hợp lệ", "Văn bản đã bị sửa sau khi ký" ...)."""

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """All signatures of one PDF; ``error`` is set when the file could not be read at all."""

    signatures: tuple[SignatureCheck, ...]
    error: str | None = None

    @property
    def all_valid(self) -> bool:
        """True when the file has at least one signature and every one is valid."""
        return self.error is None and bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def summary(self) -> str:
        """One Vietnamese sentence for the document page and the "return to sender" reason."""
        if self.error is not None:
            return t("signing_pdf.verdict.unreadable")
        if not self.signatures:
            return t("signing_pdf.verdict.no_signature")
        bad = [s for s in self.signatures if not s.ok]
        if not bad:
            return t("signing_pdf.summary.valid", count=len(self.signatures))
        reasons = "; ".join(f"{s.signer_name}: {s.message.lower()}" for s in bad)
        return t("signing_pdf.summary.invalid", bad=len(bad), count=len(self.signatures), reasons=reasons)


def load_certificates(items: Iterable[x509.Certificate | bytes]) -> list[x509.Certificate]:
    """Certificates from asn1crypto objects, DER bytes or PEM bytes (several per PEM allowed)."""
    out: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            out.append(item)
        elif pem.detect(item):
            out.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(item, multiple=True))
        else:
            out.append(x509.Certificate.load(item))
    return out


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _status(sig: EmbeddedPdfSignature, roots: Sequence[x509.Certificate], crls: Sequence[bytes],
                  moment: dt.datetime | None = None) -> PdfSignatureStatus:
    context = ValidationContext(trust_roots=list(roots), crls=list(crls), allow_fetching=False,
                                revocation_mode="soft-fail", moment=moment)
    return await async_validate_pdf_signature(sig, context)


def _verdict(intact: bool, docmdp_ok: bool | None, valid: bool, revoked: bool | None, expired: bool,
             trusted: bool) -> str:
    if not intact or docmdp_ok is False:
        return "modified"
    if not valid:
        return "invalid"
    if revoked:
        return "revoked"
    if expired:
        return "expired"
    return "valid" if trusted else "untrusted"


async def _check(sig: EmbeddedPdfSignature, roots: Sequence[x509.Certificate], crls: Sequence[bytes],
                 revoked_serials: Mapping[str, dt.datetime]) -> SignatureCheck:
    status = await _status(sig, roots, crls)
    cert = status.signing_cert
    when = _aware(sig.self_reported_timestamp)
    not_before, not_after = cert.not_valid_before, cert.not_valid_after
    serial = format(cert.serial_number, "x")
    expired = when is not None and not (not_before <= when <= not_after)
    trusted = bool(status.trusted)
    problem = status.trust_problem_indic
    if not trusted and problem in _EXPIRY and when is not None and not expired:
        # expired since signing: TT 41/2017 asks whether it was valid at the signing time
        trusted = bool((await _status(sig, roots, crls, moment=when)).trusted)
        expired = not trusted
    elif not trusted and problem in _EXPIRY:
        expired = True
    revoked: bool | None = True if problem in _REVOKED else (False if crls else None)
    revoked_at = revoked_serials.get(serial)
    if revoked_at is not None:
        revoked = when is None or _aware(revoked_at) <= when  # type: ignore[operator]
    elif revoked_serials and revoked is None:
        revoked = False
    level = status.modification_level
    verdict = _verdict(status.intact, status.docmdp_ok, status.valid, revoked, expired, trusted)
    subject = cert.subject.native
    return SignatureCheck(
        field_name=sig.field_name, signer_name=str(subject.get("common_name", "")),
        organization=str(subject.get("organization_name", "")), certificate_serial=serial,
        issuer=cert.issuer.human_friendly, signing_time=when, intact=bool(status.intact), valid=bool(status.valid),
        trusted=trusted, expired=expired, revoked=revoked,
        coverage=status.coverage.name if status.coverage is not None else "UNKNOWN",
        modification_level=level.name if level is not None else None, docmdp_ok=status.docmdp_ok,
        verdict=verdict, message=t(f"signing_pdf.verdict.{verdict}"))


async def verify_pdf(pdf: bytes, trust_roots: Sequence[x509.Certificate | bytes], *, crls: Sequence[bytes] = (),
                     revoked_serials: Mapping[str, dt.datetime] | None = None) -> VerificationReport:
    """Validate every signature of *pdf* and say in plain words whether each one holds.

    :param trust_roots: the configured roots (the dev CA in the demo), as asn1crypto certificates,
        DER or PEM bytes.
    :param crls: DER CRLs to check revocation against (none fetched from the network).
    :param revoked_serials: certificate serial (lower-case hex) -> revocation time, e.g. from
        :meth:`~backend.domain.signing.client.SigningClient.list_certificates` with
        ``include_revoked=True``; a signature made after its certificate's revocation is "revoked".
    """
    roots = load_certificates(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception as exc:  # malformed input can raise nearly anything from the parser
        log.info("unreadable PDF on verification: %r", exc)
        return VerificationReport((), error=f"{type(exc).__name__}: {exc}")
    checks = []
    for sig in sigs:
        try:
            checks.append(await _check(sig, roots, crls, revoked_serials or {}))
        except Exception as exc:  # a broken signature object must not hide the others' results
            log.info("signature %s could not be validated: %r", sig.field_name, exc)
            checks.append(SignatureCheck(
                field_name=sig.field_name, signer_name="", organization="", certificate_serial="", issuer="",
                signing_time=None, intact=False, valid=False, trusted=False, expired=False, revoked=None,
                coverage="UNKNOWN", modification_level=None, docmdp_ok=None, verdict="invalid",
                message=t("signing_pdf.verdict.invalid")))
    return VerificationReport(tuple(checks))
