"""Certificate register (domain.md §22, Điện Biên QĐ 29/2021): who holds which signing certificate,
until when, and the lifecycle actions the backend offers on top of the signing server.

* ``/account/certificates`` -- the actor's personal certificate (and the agency seal for clerks),
  with status and days left, and "Báo mất/lộ khóa" (revoked at once, admins notified);
* ``/admin/certificates`` -- every certificate in an administrator's scope, expiring filter, revoke;
* the daily ``certificates.remind_expiring`` outbox job (:mod:`backend.domain.certificates.jobs`).

The certificates live in the signing server; this package reads them through its ``/ext/v1``
extension (:meth:`backend.domain.signing.SigningClient.list_certificates`).
"""

__all__: list[str] = []
