"""The shell pages, the anonymous/role matrix, CSRF, security headers and error pages."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from backend.server.middleware import CONTENT_SECURITY_POLICY

SHELL_PAGES = ["/", "/incoming", "/outgoing", "/tasks", "/search", "/account", "/account/password",
               "/notifications", "/admin"]


async def test_anonymous_requests_are_sent_to_login_with_return_path(client) -> None:
    answers = {path: await client.get(path) for path in SHELL_PAGES}
    assert not [(path, r.status_code, r.headers.get("location", "")) for path, r in answers.items()
                if r.status_code != 303 or r.headers["location"] != f"/login?next={quote(path, safe='')}"]


async def test_anonymous_htmx_request_gets_hx_redirect(client) -> None:
    response = await client.get("/incoming", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["hx-redirect"].startswith("/login")


@pytest.mark.parametrize("username", ["vanthu.xanghiphong", "lanhdao.tinh", "chuyenvien.sonoivu"])
async def test_non_admins_are_refused_administration_with_403(client, login, username: str) -> None:
    await login(client, username)
    response = await client.get("/admin")
    assert response.status_code == 403
    assert "không có quyền" in response.text


async def test_shell_has_bottom_navigation_in_vietnamese(client, login) -> None:
    await login(client, "vanthu.xanghiphong")
    page = await client.get("/incoming")
    assert page.status_code == 200
    for label in ("Văn bản đến", "Văn bản đi", "Công việc", "Tìm kiếm", "Tài khoản"):
        assert label in page.text
    assert 'aria-current="page"' in page.text and 'lang="vi"' in page.text
    assert "HX-Request" in page.headers["vary"]


async def test_content_type_names_the_charset_once(client, login) -> None:
    await login(client, "vanthu.xanghiphong")
    for path, headers in (("/incoming", {}), ("/live/counts", {"HX-Request": "true"}), ("/no-such-page", {}),
                          ("/incoming/book.csv", {})):
        response = await client.get(path, headers=headers)
        assert response.headers["content-type"].count("charset") <= 1, (path, response.headers["content-type"])
    assert (await client.get("/incoming")).headers["content-type"] == "text/html; charset=utf-8"


async def test_post_without_csrf_token_is_refused_in_vietnamese(client, login) -> None:
    await login(client, "vanthu.xanghiphong")
    response = await client.post("/logout", data={})
    assert response.status_code == 403
    assert "Phiên làm việc của biểu mẫu đã hết hạn" in response.text
    assert (await client.get("/account")).status_code == 200  # still logged in: nothing happened


async def test_post_with_forged_csrf_token_is_refused(client, csrf_token) -> None:
    await csrf_token(client)
    response = await client.post("/login", data={"username": "vanthu.xanghiphong", "password": "congvan2026",
                                                  "_csrf_token": "forged-token-value"})
    assert response.status_code == 403


async def test_htmx_post_with_csrf_header_is_accepted(client, login, csrf_token) -> None:
    await login(client, "vanthu.xanghiphong")
    token = await csrf_token(client, "/account")
    response = await client.post("/notifications/read-all", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303


async def test_security_headers_forbid_inline_script_and_framing(client) -> None:
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text  # no inline script anywhere in the page


async def test_unknown_page_gets_vietnamese_404(client, login) -> None:
    await login(client, "vanthu.xanghiphong")
    response = await client.get("/khong-ton-tai")
    assert response.status_code == 404 and "Không tìm thấy" in response.text


async def test_api_errors_are_problem_json(client) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "NOT_FOUND"


async def test_static_assets_are_served_with_content_hash(client) -> None:
    page = await client.get("/login")
    assert "/static/css/app.css?v=" in page.text
    css = await client.get("/static/css/app.css")
    assert css.status_code == 200 and "bottom-nav" in css.text


async def test_health_reports_database_round_trip(client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_switching_to_an_agency_without_roles_is_refused(client, login, csrf_token, demo) -> None:
    await login(client, "vanthu.xanghiphong")
    other = await demo.agency_id("000.00.00.H41")
    token = await csrf_token(client, "/account")
    response = await client.post("/account/agency", data={"agency_id": str(other), "_csrf_token": token})
    assert response.status_code == 422 and "không có vai trò" in response.text


BIG_BODY = b"x" * (61 * 1024 * 1024)


ANSWERS = [
    ("GET", "/khong-ton-tai", 404),  # unknown path: answered by the router, before any route middleware
    ("GET", "/logout", 405),  # wrong method
    ("GET", "/api/nothing-here", 404),
    ("GET", "/static/css/app.css", 200),
    ("POST", "/login", 413),  # body over the request limit
    ("POST", "/login", 403),  # no CSRF token
]


async def test_every_response_carries_the_security_headers(client) -> None:
    for method, path, status in ANSWERS:
        body = BIG_BODY if status == 413 else b"username=a"
        response = await (client.get(path) if method == "GET" else client.post(
            path, content=body, headers={"content-type": "application/x-www-form-urlencoded"}))
        assert response.status_code == status, (method, path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, (method, path)
        assert response.headers["x-frame-options"] == "DENY", (method, path)
        assert response.headers["x-content-type-options"] == "nosniff", (method, path)
        assert response.headers["referrer-policy"] == "same-origin", (method, path)
        if not path.startswith("/static/"):
            assert response.headers["cache-control"] == "no-store", (method, path)
