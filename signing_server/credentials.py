"""Credential registry operations: create (key + certificate + OTP enrolment) and lifecycle.

A credential is one HSM key pair (selected by label), its certificate chain and its TOTP enrolment,
owned either by a signer (``owner_kind="user"``, owner = username) or by an agency (``"agency"``,
owner = the agency identifier code; the seal key clerks use, domain.md §11.2; owner
``edxml:<code>``: the agency's package seal, authorised without an OTP, see
:attr:`~signing_server.store.Credential.unattended`). Status moves:

* ``active`` -> ``disabled`` (admin ``disable``; ``enable`` reverses it);
* ``active`` -> ``locked`` (N wrong OTPs in a row; admin ``unlock`` reverses it);
* any -> ``revoked`` (``revoke`` or ``report-compromised``; terminal; the key is destroyed).

Every administrative action is journaled with caller ``admin`` (CLI), or with the backend's client id
when it comes through the ``/ext/v1`` extension (:mod:`signing_server.ext`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from signing_server.ca import DevCa, SubjectInfo, build_csr, dump_pem_chain, load_pem_chain
from signing_server.errors import InvalidRequestError, UnknownCredentialError
from signing_server.hsm import Algo, Hsm
from signing_server.journal import Journal
from signing_server.otp import OtpCipher, new_secret, provisioning_uri
from signing_server.settings import Settings
from signing_server.store import Credential, OwnerKind, Store

__all__ = ["CredentialManager", "CredentialSpec", "Enrolment", "utc_iso"]

ADMIN = "admin"


def utc_iso(when: dt.datetime) -> str:
    """ISO 8601 UTC text with seconds (how the registry stores times)."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class CredentialSpec:
    """What ``create-credential`` / ``ensure-demo`` need to know about a new credential."""

    owner_kind: OwnerKind
    owner: str
    display_name: str
    agency: str = ""
    algo: Algo = "rsa2048"
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None

    @classmethod
    def from_json(cls, item: dict[str, object]) -> CredentialSpec:
        """Parse one ``ensure-demo`` entry (see docs/signing.md for the format)."""
        kind, owner = item.get("owner_kind"), item.get("owner")
        if kind not in ("user", "agency") or not isinstance(owner, str) or not owner:
            raise InvalidRequestError(f"each entry needs owner_kind user|agency and an owner, found {item!r}")
        algo = item.get("algo", "rsa2048")
        if algo not in ("rsa2048", "p256"):
            raise InvalidRequestError(f"algo must be rsa2048 or p256, found {algo!r}")

        def when(name: str) -> dt.datetime | None:
            raw = item.get(name)
            return None if raw is None else dt.datetime.fromisoformat(str(raw)).astimezone(dt.UTC)

        return cls(owner_kind=kind, owner=owner,
                   display_name=str(item.get("display_name") or owner), agency=str(item.get("agency") or ""),
                   algo=algo, not_before=when("not_before"), not_after=when("not_after"))


@dataclass(frozen=True, slots=True)
class Enrolment:
    """The OTP enrolment of a credential: shown once to its owner (and in demo-otp.json in demo mode)."""

    credential_id: str
    secret: str
    provisioning_uri: str


class CredentialManager:
    """Creates credentials and applies lifecycle actions; used by the CLI, never by the HTTP API."""

    def __init__(self, settings: Settings, store: Store, hsm: Hsm, journal: Journal) -> None:
        self.settings = settings
        self.store = store
        self.hsm = hsm
        self.journal = journal
        self.cipher = OtpCipher(settings.otp_key)
        self._ca: DevCa | None = None

    @property
    def ca(self) -> DevCa:
        """The dev CA (created on first use)."""
        if self._ca is None:
            self._ca = DevCa.load_or_create(self.settings.ca_dir)
        return self._ca

    def get(self, credential_id: str) -> Credential:
        """The credential, or :class:`UnknownCredentialError`."""
        cred = self.store.get(credential_id)
        if cred is None:
            raise UnknownCredentialError(f"no credential {credential_id!r}")
        return cred

    def enrolment(self, cred: Credential) -> Enrolment:
        """Decrypt the OTP secret and build the provisioning URI (for enrolment, never for logs)."""
        secret = self.cipher.decrypt(cred.id, cred.otp_secret_enc)
        account = f"{cred.display_name} ({cred.owner})"
        return Enrolment(cred.id, secret, provisioning_uri(secret, account, self.settings.otp_issuer,
                                                       self.settings.otp_step_seconds))

    @staticmethod
    def _subject(spec: CredentialSpec) -> SubjectInfo:
        return SubjectInfo(common_name=spec.display_name, organization=spec.agency, user_id=spec.owner)

    def _validity(self, spec: CredentialSpec) -> tuple[dt.datetime, dt.datetime]:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        not_after = spec.not_after or now + dt.timedelta(days=self.settings.cert_validity_days)
        not_before = spec.not_before or min(now - dt.timedelta(minutes=5), not_after - dt.timedelta(days=1))
        return not_before, not_after

    def create(self, spec: CredentialSpec) -> tuple[Credential, Enrolment]:
        """Generate the key on the token, issue a dev-CA certificate, enrol a fresh OTP secret.

        :raises InvalidRequestError: the owner already has a non-revoked credential.
        """
        if self.store.find_live(spec.owner_kind, spec.owner) is not None:
            raise InvalidRequestError(f"{spec.owner_kind} {spec.owner!r} already has a live credential")
        cred_id = f"{'u' if spec.owner_kind == 'user' else 'a'}-{secrets.token_hex(6)}"
        label = f"{cred_id}-k1"
        spki = self.hsm.generate_key(label, spec.algo)
        not_before, not_after = self._validity(spec)
        cert = self.ca.issue(spki, self._subject(spec), not_before, not_after)
        secret = new_secret()
        now = utc_iso(dt.datetime.now(dt.UTC))
        cred = Credential(
            id=cred_id, owner_kind=spec.owner_kind, owner=spec.owner, display_name=spec.display_name,
            agency=spec.agency, algo=spec.algo, key_label=label,
            cert_chain_pem=dump_pem_chain([cert, self.ca.cert]), cert_serial=format(cert.serial_number, "x"),
            not_before=utc_iso(not_before), not_after=utc_iso(not_after),
            otp_secret_enc=self.cipher.encrypt(cred_id, secret), status="active", status_reason="",
            failures=0, last_otp_step=0, created_at=now, updated_at=now, last_used_at=None, revoked_at=None)
        try:
            with self.store.transaction() as conn:
                self.store.insert(cred, conn)
        except Exception:
            self.hsm.destroy_key(label)
            raise
        self.journal.append(caller=ADMIN, action="create", credential_id=cred_id, result="ok",
                            cert_serial=cred.cert_serial, detail=f"{spec.owner_kind} {spec.owner} {spec.algo}")
        return cred, self.enrolment(cred)

    def _set_status(self, credential_id: str, action: str, status: str, reason: str,
                    allowed_from: tuple[str, ...], caller: str = ADMIN) -> Credential:
        cred = self.get(credential_id)
        if cred.status not in allowed_from:
            raise InvalidRequestError(f"cannot {action} a credential in status {cred.status!r}")
        now = utc_iso(dt.datetime.now(dt.UTC))
        extra: dict[str, object] = {"failures": 0} if action == "unlock" else {}
        if status == "revoked":
            extra["revoked_at"] = now
        with self.store.transaction() as conn:
            self.store.update(credential_id, conn, status=status, status_reason=reason, updated_at=now, **extra)
        self.journal.append(caller=caller, action=action, credential_id=credential_id, result="ok",
                            cert_serial=cred.cert_serial, detail=reason)
        return self.get(credential_id)

    def disable(self, credential_id: str, reason: str = "disabled by administrator") -> Credential:
        """Stop the credential from signing until :meth:`enable`."""
        return self._set_status(credential_id, "disable", "disabled", reason, ("active", "locked"))

    def enable(self, credential_id: str) -> Credential:
        """Re-enable a disabled credential."""
        return self._set_status(credential_id, "enable", "active", "", ("disabled",))

    def unlock(self, credential_id: str) -> Credential:
        """Clear an OTP lockout (and the failure counter)."""
        return self._set_status(credential_id, "unlock", "active", "", ("locked",))

    def revoke(self, credential_id: str, reason: str = "revoked by administrator", *,
               caller: str = ADMIN) -> Credential:
        """Revoke the certificate and destroy the HSM key; the credential can never sign again.

        :param caller: who is journaled as acting (``admin`` for the CLI, the client id for the API).
        """
        cred = self._set_status(credential_id, "revoke", "revoked", reason, ("active", "disabled", "locked"),
                                caller=caller)
        self.hsm.destroy_key(cred.key_label)
        return cred

    def report_compromised(self, credential_id: str, note: str = "", *, caller: str = ADMIN) -> Credential:
        """Suspected key compromise (to be reported within 24 h): revoke at once, keyCompromise reason.

        :param note: free text appended to the reason (who reported it, what happened).
        """
        reason = "key_compromise reported" + (f": {note}" if note else "")
        return self.revoke(credential_id, reason=reason, caller=caller)

    def rotate(self, credential_id: str, reset_otp: bool = False) -> tuple[Credential, Enrolment | None]:
        """New key on the token and new certificate under the same credential id; old key destroyed."""
        cred = self.get(credential_id)
        if cred.status == "revoked":
            raise InvalidRequestError("cannot rotate a revoked credential")
        generation = int(cred.key_label.rsplit("-k", 1)[1]) + 1
        label = f"{cred.id}-k{generation}"
        spki = self.hsm.generate_key(label, cred.algo)
        spec = CredentialSpec(cred.owner_kind, cred.owner, cred.display_name, cred.agency, cred.algo)
        not_before, not_after = self._validity(spec)
        cert = self.ca.issue(spki, self._subject(spec), not_before, not_after)
        values: dict[str, object] = {
            "key_label": label, "cert_chain_pem": dump_pem_chain([cert, self.ca.cert]),
            "cert_serial": format(cert.serial_number, "x"), "not_before": utc_iso(not_before),
            "not_after": utc_iso(not_after), "updated_at": utc_iso(dt.datetime.now(dt.UTC))}
        if reset_otp:
            values.update(otp_secret_enc=self.cipher.encrypt(cred.id, new_secret()), last_otp_step=0, failures=0)
        with self.store.transaction() as conn:
            self.store.update(cred.id, conn, **values)
        self.hsm.destroy_key(cred.key_label)
        self.journal.append(caller=ADMIN, action="rotate", credential_id=cred.id, result="ok",
                            cert_serial=str(values["cert_serial"]), detail=f"new key {label}")
        fresh = self.get(cred.id)
        return fresh, (self.enrolment(fresh) if reset_otp else None)

    def export_csr(self, credential_id: str) -> bytes:
        """PKCS#10 request (DER) for the credential's HSM key, signed on the token."""
        cred = self.get(credential_id)
        spki = self.hsm.public_key_info(cred.key_label, cred.algo)
        spec = CredentialSpec(cred.owner_kind, cred.owner, cred.display_name, cred.agency, cred.algo)
        sign_algo = "sha256_rsa" if cred.algo == "rsa2048" else "sha256_ecdsa"
        return build_csr(spki, self._subject(spec), sign_algo,
                         lambda digest: self.hsm.sign_digests(cred.key_label, cred.algo, [digest])[0])

    def import_cert(self, credential_id: str, chain_pem: str) -> Credential:
        """Replace the certificate chain (leaf first) with one issued by a real CA for the same key.

        :raises InvalidRequestError: the leaf's public key is not the credential's HSM key.
        """
        cred = self.get(credential_id)
        chain = load_pem_chain(chain_pem)
        if not chain:
            raise InvalidRequestError("the PEM file holds no certificate")
        leaf: x509.Certificate = chain[0]
        spki = self.hsm.public_key_info(cred.key_label, cred.algo)
        leaf_spki = leaf.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        if leaf_spki != serialization.load_der_public_key(spki).public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
            raise InvalidRequestError("the certificate's public key is not the credential's HSM key")
        values = {"cert_chain_pem": dump_pem_chain(chain), "cert_serial": format(leaf.serial_number, "x"),
                  "not_before": utc_iso(leaf.not_valid_before_utc), "not_after": utc_iso(leaf.not_valid_after_utc),
                  "updated_at": utc_iso(dt.datetime.now(dt.UTC))}
        with self.store.transaction() as conn:
            self.store.update(cred.id, conn, **values)
        self.journal.append(caller=ADMIN, action="import-cert", credential_id=cred.id, result="ok",
                            cert_serial=values["cert_serial"], detail=leaf.issuer.rfc4514_string())
        return self.get(cred.id)

    def expiring(self, within_days: int | None = None) -> list[Credential]:
        """Live credentials whose certificate expires within *within_days* (default from settings)."""
        days = self.settings.expiry_warning_days if within_days is None else within_days
        limit = utc_iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
        return [c for c in self.store.list(include_revoked=False) if c.not_after <= limit]
