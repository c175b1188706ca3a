"""The only module that touches PKCS#11: token init, key generation, public-key export, signing.

One :class:`Hsm` object owns one logged-in session on the token selected by label. Every token call
is blocking and is made while holding :attr:`Hsm._lock`; callers on an event loop run these methods
in a worker thread (the HTTP layer does so with ``anyio.to_thread``). If the session breaks (network
HSM restarted, object handle gone) the call reopens the session once and retries.

Keys are generated on the token: private keys are ``TOKEN``, ``PRIVATE``, ``SENSITIVE``, never
``EXTRACTABLE``, usable only to sign. They are found by ``CKA_LABEL``.

Signing takes a *digest* (SHA-256) because the CSC API ships hashes, not documents:

* RSA: PKCS#1 v1.5 (``CKM_RSA_PKCS``) over a DER ``DigestInfo`` with explicit NULL parameters;
* ECDSA P-256: raw ``CKM_ECDSA`` over the digest (SoftHSM 2.6 has no ``CKM_ECDSA_SHA256``), then
  the ``r||s`` result DER-encoded as ``ECDSA-Sig-Value``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import pkcs11
from asn1crypto import algos, core
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11.util.ec import encode_ec_public_key, encode_ecdsa_signature, encode_named_curve_parameters
from pkcs11.util.rsa import encode_rsa_public_key

from signing_server.errors import ConfigurationError, HsmError

__all__ = ["Algo", "Hsm", "digest_info_sha256", "write_softhsm_conf"]

Algo = Literal["rsa2048", "p256"]
_T = TypeVar("_T")
_LIBS: dict[str, Any] = {}
_LIBS_LOCK = threading.Lock()


def digest_info_sha256(digest: bytes) -> bytes:
    """DER ``DigestInfo`` for a SHA-256 *digest*, with the explicit NULL parameters PKCS#1 wants."""
    der: bytes = algos.DigestInfo(
        {"digest_algorithm": {"algorithm": "sha256", "parameters": core.Null()}, "digest": digest}
    ).dump()
    return der


def write_softhsm_conf(conf_path: Path) -> None:
    """Write a SoftHSM2 config keeping tokens in ``<conf dir>/tokens`` (idempotent)."""
    token_dir = conf_path.parent / "tokens"
    token_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = (
        f"directories.tokendir = {token_dir}/\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
        "slots.removable = false\nslots.mechanisms = ALL\nlibrary.reset_on_fork = false\n"
    )
    if not conf_path.exists() or conf_path.read_text() != text:
        conf_path.write_text(text)


class Hsm:
    """A logged-in session on one PKCS#11 token, shared by all threads under a lock.

    :param module_path: PKCS#11 library path.
    :param token_label: label of the token to use.
    :param pin: user PIN.
    :param softhsm_conf: SoftHSM2 config to create and export as ``SOFTHSM2_CONF`` before loading.
    """

    def __init__(self, module_path: str, token_label: str, pin: str, softhsm_conf: Path | None) -> None:
        self._module_path = module_path
        self._token_label = token_label
        self._pin = pin
        self._softhsm_conf = softhsm_conf
        self._lock = threading.Lock()
        self._session: Any = None
        self._keys: dict[str, Any] = {}

    # -- library and session -------------------------------------------------------------------

    def _lib(self) -> Any:
        if self._softhsm_conf is not None:
            write_softhsm_conf(self._softhsm_conf)
            os.environ.setdefault("SOFTHSM2_CONF", str(self._softhsm_conf))
        with _LIBS_LOCK:
            lib = _LIBS.get(self._module_path)
            if lib is None:
                try:
                    lib = pkcs11.lib(self._module_path)
                except (RuntimeError, OSError, pkcs11.PKCS11Error) as exc:
                    raise ConfigurationError(
                        f"cannot load PKCS#11 module {self._module_path!r} ({exc}); check PKCS11_MODULE"
                    ) from exc
                _LIBS[self._module_path] = lib
        return lib

    def _open(self) -> Any:
        if self._session is None:
            try:
                token = self._lib().get_token(token_label=self._token_label)
                self._session = token.open(user_pin=self._pin, rw=True)
            except pkcs11.NoSuchToken as exc:
                raise HsmError(
                    f"no token labelled {self._token_label!r}; run `python -m signing_server init-token`"
                ) from exc
            except pkcs11.PinIncorrect as exc:
                raise HsmError("token refused the PIN; check SIGNING_TOKEN_PIN") from exc
            except pkcs11.PKCS11Error as exc:
                raise HsmError(f"cannot open token {self._token_label!r}: {type(exc).__name__}") from exc
        return self._session

    def _reset(self) -> None:
        self._keys.clear()
        if self._session is not None:
            try:
                self._session.close()
            except pkcs11.PKCS11Error:
                pass
        self._session = None

    def _call(self, fn: Callable[[Any], _T]) -> _T:
        """Run *fn(session)* under the lock; on a PKCS#11 failure reopen the session and retry once."""
        with self._lock:
            for attempt in (1, 2):
                session = self._open()
                try:
                    return fn(session)
                except (pkcs11.NoSuchKey, pkcs11.MultipleObjectsReturned, HsmError):
                    raise
                except pkcs11.PKCS11Error as exc:
                    self._reset()
                    if attempt == 2:
                        raise HsmError(f"token operation failed: {type(exc).__name__}") from exc
            raise AssertionError("unreachable")

    def open(self) -> None:
        """Log in now (startup check) and cache handles of every private key on the token.

        Looking a key up by label costs about a millisecond on SoftHSM; preloading keeps that off the
        first signature of each credential. Keys created later are looked up on first use.
        """
        with self._lock:
            session = self._open()
            for key in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}):
                label = key[Attribute.LABEL]
                if label:
                    self._keys[str(label)] = key

    def close(self) -> None:
        """Log out and close the session (the library stays loaded for the process lifetime)."""
        with self._lock:
            self._reset()

    # -- token management ----------------------------------------------------------------------

    def token_present(self) -> bool:
        """True when a token with our label is initialised in the module."""
        lib = self._lib()
        lib.reinitialize()
        return any(True for _ in lib.get_tokens(token_label=self._token_label))

    def init_softhsm_token(self, so_pin: str) -> None:
        """Initialise the token with ``softhsm2-util`` (SoftHSM only; real HSMs use vendor tools).

        :raises ConfigurationError: the module is not SoftHSM or ``softhsm2-util`` failed.
        """
        if self._softhsm_conf is None:
            raise ConfigurationError("init-token only handles SoftHSM2; initialise other HSMs with their tools")
        write_softhsm_conf(self._softhsm_conf)
        env = dict(os.environ, SOFTHSM2_CONF=str(self._softhsm_conf))
        cmd = ["softhsm2-util", "--init-token", "--free", "--label", self._token_label,
               "--so-pin", so_pin, "--pin", self._pin]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise ConfigurationError(f"softhsm2-util --init-token failed: {proc.stderr.strip() or proc.stdout}")
        with self._lock:
            self._reset()
            if self._module_path in _LIBS:
                _LIBS[self._module_path].reinitialize()

    # -- keys ------------------------------------------------------------------------------------

    def generate_key(self, label: str, algo: Algo) -> bytes:
        """Generate a non-extractable signing key pair labelled *label*; return its SPKI DER."""
        key_id = hashlib.sha256(label.encode()).digest()[:8]
        private_template = {Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False,
                            Attribute.PRIVATE: True, Attribute.TOKEN: True}
        caps = MechanismFlag.SIGN | MechanismFlag.VERIFY

        def gen(session: Any) -> bytes:
            if any(True for _ in session.get_objects({Attribute.LABEL: label})):
                raise HsmError(f"the token already holds objects labelled {label!r}")
            if algo == "rsa2048":
                pub, _priv = session.generate_keypair(
                    KeyType.RSA, 2048, id=key_id, label=label, store=True, capabilities=caps,
                    private_template=private_template)
                return bytes(encode_rsa_public_key(pub))
            params = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
            pub, _priv = params.generate_keypair(id=key_id, label=label, store=True, capabilities=caps,
                                                 private_template=private_template)
            return bytes(encode_ec_public_key(pub))

        return self._call(gen)

    def public_key_info(self, label: str, algo: Algo) -> bytes:
        """SPKI DER of the public key labelled *label*."""

        def read(session: Any) -> bytes:
            key_type = KeyType.RSA if algo == "rsa2048" else KeyType.EC
            pub = session.get_key(object_class=ObjectClass.PUBLIC_KEY, key_type=key_type, label=label)
            encode = encode_rsa_public_key if algo == "rsa2048" else encode_ec_public_key
            return bytes(encode(pub))

        try:
            return self._call(read)
        except pkcs11.NoSuchKey as exc:
            raise HsmError(f"no public key labelled {label!r} on the token") from exc

    def destroy_key(self, label: str) -> int:
        """Destroy every object labelled *label*; return how many were destroyed."""

        def destroy(session: Any) -> int:
            objs = list(session.get_objects({Attribute.LABEL: label}))
            for obj in objs:
                obj.destroy()
            self._keys.pop(label, None)
            return len(objs)

        return self._call(destroy)

    def sign_digests(self, label: str, algo: Algo, digests: Sequence[bytes]) -> list[bytes]:
        """Sign each SHA-256 digest with the private key labelled *label*, in one locked session call.

        :returns: PKCS#1 v1.5 signatures (RSA) or DER ``ECDSA-Sig-Value`` (P-256), in input order.
        :raises HsmError: the key is missing or the token failed.
        """

        def sign(session: Any) -> list[bytes]:
            key = self._keys.get(label)
            if key is None:
                key_type = KeyType.RSA if algo == "rsa2048" else KeyType.EC
                key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, key_type=key_type, label=label)
                self._keys[label] = key
            if algo == "rsa2048":
                return [bytes(key.sign(digest_info_sha256(d), mechanism=Mechanism.RSA_PKCS)) for d in digests]
            return [bytes(encode_ecdsa_signature(key.sign(d, mechanism=Mechanism.ECDSA))) for d in digests]

        try:
            return self._call(sign)
        except pkcs11.NoSuchKey as exc:
            raise HsmError(f"no private key labelled {label!r} on the token") from exc
