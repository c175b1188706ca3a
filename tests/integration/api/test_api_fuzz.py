"""schemathesis over ``/schema/openapi.json``, in process against the test app, as each role that uses the API.

Bounded and reproducible: ``API_FUZZ_EXAMPLES`` positive and negative examples per operation (default 20,
about 3,000 requests over the four roles; docs/security.md has the measured costs of 10, 20 and 300),
derandomised, no shrinking, no example database. Every answer must be one the schema declares (status,
content type, headers, body), no request may produce a server error, a request the schema calls valid is
never refused as malformed (400), a request it calls invalid is refused, and every 400 names its field.
The agency has an incoming document, an outgoing draft, a catalogue and a work file, so ids hit real rows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python import asgi

from backend.asgi import create_app
from backend.config.settings import Settings
from tests import factories
from tests.support.workfiles import arrange_incoming, arrange_outgoing

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))
ROLES = ("clerk", "leader", "specialist", "admin")
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def schema_valid_is_never_malformed(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the schema calls valid may be refused by a use case (422) but never as malformed (400)."""
    if case.meta is not None and case.meta.generation.mode.is_positive and response.status_code == 400:
        raise AssertionError(f"schema-valid request refused as malformed: {response.text[:300]}")
    return None


def bad_request_names_the_field(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 400 of the API is a problem whose ``errors`` names at least one field, with a Vietnamese title."""
    if response.status_code == 400:
        body = response.json()
        assert isinstance(body.get("errors"), dict) and body["errors"], f"400 names no field: {body}"
        assert all(isinstance(reason, str) and reason for reason in body["errors"].values()), body
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, schema_valid_is_never_malformed,
          bad_request_names_the_field]


@pytest.fixture
async def usernames(db_sessionmaker: Any, settings: Settings) -> dict[str, str]:
    """One user per role in a new agency that holds a document of each kind."""
    async with db_sessionmaker() as db:
        staff = await factories.staff(db)
        await db.commit()
    await arrange_incoming(db_sessionmaker, settings, staff.agency.id, number=1, summary="Công văn thử nghiệm",
                           issued_on=dt.date(2026, 11, 2), assign_to=staff.specialist.id, assigned_by=staff.leader.id)
    await arrange_outgoing(db_sessionmaker, settings, staff.agency.id, drafter=staff.specialist.id,
                           summary="Dự thảo thử nghiệm")
    return {role: getattr(staff, role).username for role in ROLES}


@pytest.fixture
def app_under_test(settings: Settings) -> Iterator[Litestar]:
    """The app, started and stopped on schemathesis's own event loop (it serves every request there)."""
    app = create_app(settings)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


def _login(client: Any, username: str) -> str:
    """Log in through the real form; the CSRF token for the API's unsafe methods."""
    page = client.get("/login")
    match = CSRF_RE.search(page.text)
    assert match, "no CSRF token on the login page"
    response = client.post("/login", allow_redirects=False, data={
        "username": username, "password": factories.PASSWORD, "next": "/", "_csrf_token": match.group(1)})
    assert response.status_code == 303, response.text
    return str(client.get("/api/v1/session").json()["csrf_token"])


def _fuzz(operation: Any, client: Any, csrf: str) -> int:
    """Run the bounded examples of one operation; the number of requests sent."""
    sent = 0
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                         report_multiple_bugs=False)
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        # a generous read timeout: a slow answer on a loaded CI machine is not a finding (the default is 10 s)
        case.call_and_validate(session=client, headers={"X-CSRFToken": csrf}, checks=CHECKS, timeout=60)

    run()
    return sent


@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_finds_no_server_error_and_no_schema_violation(role: str, usernames: dict[str, str],
                                                                 app_under_test: Litestar) -> None:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app_under_test)
    failures: list[str] = []
    sent, started = 0, time.monotonic()
    with asgi.get_client(app_under_test) as client:
        csrf = _login(client, usernames[role])
        for result in schema.get_all_operations():
            operation = result.ok()
            try:
                sent += _fuzz(operation, client, csrf)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation's failure is reported
                found = getattr(exc, "exceptions", [exc])
                failures.append(f"{operation.label}: " + " | ".join(f"{type(e).__name__}: {str(e)[:600]}"
                                                                    for e in found))
    print(f"{role}: {sent} requests in {time.monotonic() - started:.1f} s")
    assert not failures, "\n\n".join(failures)
