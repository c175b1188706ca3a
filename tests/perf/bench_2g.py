"""2G benchmark: how long until page 1 of a new document is readable on a commune official's weak link.

Run: ``.venv/bin/python -m tests.perf.bench_2g [--runs N] [--no-write]``

The link is emulated at the TCP level by :class:`Link2G`, an asyncio proxy on loopback between
Chromium and the web process: 250 kbit/s down, 100 kbit/s up, 300 ms round trip (each direction's
bandwidth is shared by all connections, as on one radio link; each new connection first waits one
round trip, its TCP handshake). Chromium's own (CDP) throttling is not used: it does not apply to
the service worker's fetches, which the warm figures go through.

On a throwaway data dir (migrated, demo-seeded, SQLite, a real ``serve`` process) the clerk registers
and submits two documents for each shape (a 1-page Công văn and a dense 2-page one); the leader
opens them through the proxy with the Pixel 7 profile:

* **cold**: a fresh browser context (empty HTTP cache, no service worker; only the session cookie);
* **warm**: the same context after one document page has been opened there (app shell in the HTTP
  cache and the service worker's cache), opening the *other*, not yet seen document of that shape.

"Page 1 readable" is the time from navigation start until the reading view's first paragraph is laid
out with the style sheet applied, or (for a document without a text layer) the first page image is
decoded, polled every 10 ms by a script installed before the page's own.

Results are printed and written between the ``bench_2g`` markers of ``docs/performance.md``.
``BENCH_2G_TRACE=1`` also prints the resource timings of each cold load (where the time goes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from tests.support.pwa import CLERK, LEADER, http_login, in_db, token

REPO = Path(__file__).resolve().parents[2]

BEGIN, END = "<!-- bench_2g:begin -->", "<!-- bench_2g:end -->"
CHROMIUM = "/usr/bin/chromium"
TARGET_MS = 1500
DOWN_BPS, UP_BPS, RTT_S = 250_000, 100_000, 0.300

_READABLE = """
(() => {
  const started = performance.now();
  const styled = () => [...document.querySelectorAll('link[rel=stylesheet]')].every((l) => l.sheet);
  const tick = () => {
    const text = document.querySelector('#reading-view p');
    const image = document.querySelector('img.page-image');
    const ready = (text && styled() && text.getBoundingClientRect().height > 0)
      || (image && image.complete && image.naturalWidth > 0 && styled());
    if (ready) { window.__cvReadable = {ms: performance.now(), by: text ? 'text' : 'image'}; return; }
    if (performance.now() - started < 30000) { setTimeout(tick, 10); }
  };
  tick();
})();
"""


# ---------- the emulated link ----------

@dataclass
class _Direction:
    """One direction of the radio link: a serial line of ``bps`` shared by every connection."""

    bps: int
    free_at: float = 0.0

    def deliver_at(self, size: int, now: float) -> float:
        start = max(now, self.free_at)
        self.free_at = start + size * 8 / self.bps
        return self.free_at + RTT_S / 2


@dataclass
class Link2G:
    """A TCP proxy on loopback emulating a 2G link to ``upstream_port`` (see the module docstring)."""

    upstream_port: int
    port: int = 0
    down: _Direction = field(default_factory=lambda: _Direction(DOWN_BPS))
    up: _Direction = field(default_factory=lambda: _Direction(UP_BPS))
    bytes_down: int = 0

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: _Direction,
                    downstream: bool) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                when, chunk = item
                await asyncio.sleep(max(0.0, when - loop.time()))
                writer.write(chunk)
                await writer.drain()
            writer.close()

        sender = asyncio.create_task(deliver())
        try:
            while chunk := await reader.read(1460):
                if downstream:
                    self.bytes_down += len(chunk)
                queue.put_nowait((direction.deliver_at(len(chunk) + 40, loop.time()), chunk))
        except ConnectionError:
            pass
        queue.put_nowait(None)
        try:
            await sender
        except ConnectionError:
            pass

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(RTT_S)  # the TCP handshake
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pump(client_reader, up_writer, self.up, False),
                             self._pump(up_reader, client_writer, self.down, True), return_exceptions=True)

    def start(self) -> None:
        """Serve in a background thread (Playwright's sync API owns the main thread's loop)."""
        ready = threading.Event()

        def run() -> None:
            async def serve() -> None:
                server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
                self.port = server.sockets[0].getsockname()[1]
                ready.set()
                async with server:
                    await server.serve_forever()

            asyncio.run(serve())

        threading.Thread(target=run, daemon=True, name="link-2g").start()
        if not ready.wait(10):
            raise RuntimeError("proxy did not start")


# ---------- documents ----------

_HEADER = ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
           "Số: {n}/UBND-VX                       Độc lập - Tự do - Hạnh phúc\n\n"
           "V/v triển khai công tác phòng, chống thiên tai và tìm kiếm cứu nạn năm 2027\n\n"
           "Kính gửi: Ủy ban nhân dân các xã, phường, thị trấn.\n\n")
_PARAGRAPH = ("Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc chủ động ứng phó với mưa lũ, sạt lở đất trong "
              "mùa mưa bão, đề nghị Chủ tịch Ủy ban nhân dân các xã khẩn trương rà soát các khu dân cư ven sông, "
              "ven suối, vùng trũng thấp có nguy cơ ngập sâu; chuẩn bị sẵn sàng lực lượng, phương tiện, vật tư, "
              "lương thực theo phương châm bốn tại chỗ; tổ chức trực ban nghiêm túc 24/24 giờ và báo cáo kịp thời "
              "tình hình thiệt hại về Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh trước 16 giờ "
              "hằng ngày. ")


def document_pdf(pages: int, dense: bool) -> bytes:
    """A Công văn of ``pages`` A4 pages; ``dense`` fills every page with 11 pt text (the worst case)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("FreeSerif", fname="/usr/share/fonts/opentype/freefont/FreeSerif.otf")
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_font("FreeSerif", size=11 if dense else 13)
    pdf.add_page()
    pdf.multi_cell(0, 6, _HEADER.format(n=pages * 100 + (7 if dense else 3)))
    count = 1
    while pdf.page_no() < pages or (dense and pdf.get_y() < 250) or (not dense and count <= 5):
        pdf.multi_cell(0, 5.5 if dense else 7, f"{count}. " + _PARAGRAPH * (2 if dense else 1))
        pdf.ln(2)
        count += 1
        if pdf.page_no() > pages:
            break
    return bytes(pdf.output())


def register(base: str, database_url: str, pdf: bytes, number: str) -> int:
    """The clerk registers the document and submits it to the leader; returns its id."""
    from backend.db.models import DocumentType
    from backend.lib import clock

    type_id = in_db(database_url,
                    lambda db: db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van")))
    clerk = http_login(base, CLERK)
    response = clerk.post("/incoming/new", data={
        "document_type_id": str(type_id), "code_number": number, "code_notation": "UBND-VX",
        "issuer_name": "Ủy ban nhân dân tỉnh Nghệ An", "issued_on": clock.today().isoformat(),
        "summary": f"Triển khai công tác phòng, chống thiên tai năm 2027 ({number})", "signer_position": "Chủ tịch",
        "signer_name": "Lê Minh Việt", "urgency": "normal", "confidentiality": "none", "source": "electronic",
        "action": "register", "_csrf_token": token(clerk, "/incoming/new")},
        files={"file": (f"cong-van-{number}.pdf", pdf, "application/pdf")})
    assert response.status_code == 303, response.text[:2000]
    doc_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])
    response = clerk.post(f"/incoming/{doc_id}/transition", data={"event": "submit", "_csrf_token": token(clerk)})
    assert response.status_code == 303, response.text[:2000]
    clerk.close()
    return doc_id


# ---------- measuring ----------

def readable_ms(page: Any, url: str) -> tuple[float, str]:
    page.goto(url, wait_until="commit", timeout=60000)
    deadline = time.monotonic() + 30
    while not (found := page.evaluate("window.__cvReadable || null")):  # CSP forbids wait_for_function's eval
        if time.monotonic() > deadline:
            raise TimeoutError(f"page 1 of {url} never became readable")
        time.sleep(0.05)
    return float(found["ms"]), str(found["by"])


def measure(proxy_base: str, cookies: list[dict[str, Any]], shapes: dict[str, list[int]], runs: int,
            link: Link2G) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": [], "kb": []} for name in shapes}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        device = pw.devices["Pixel 7"]
        for _ in range(runs):
            for name, (first, second) in shapes.items():
                context = browser.new_context(**device)
                context.add_cookies(cookies)
                context.add_init_script(_READABLE)
                page = context.new_page()
                before = link.bytes_down
                cold, by = readable_ms(page, f"{proxy_base}/incoming/{first}")
                if os.environ.get("BENCH_2G_TRACE"):
                    print(page.evaluate("""[...performance.getEntriesByType('navigation'),
                        ...performance.getEntriesByType('resource')].map((e) => [e.name.slice(-40),
                        Math.round(e.startTime), Math.round(e.connectEnd), Math.round(e.responseStart),
                        Math.round(e.responseEnd), e.transferSize])"""))
                results[name]["kb"].append((link.bytes_down - before) / 1024)
                page.wait_for_load_state("load", timeout=60000)
                page.evaluate("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
                time.sleep(1.5)  # let the worker install and pre-cache the shell over the slow link
                warm, _ = readable_ms(page, f"{proxy_base}/incoming/{second}")
                results[name]["cold"].append(cold)
                results[name]["warm"].append(warm)
                results[name].setdefault("by", []).append(by)  # type: ignore[arg-type]
                print(f"{name}: cold {cold:.0f} ms ({by}), warm {warm:.0f} ms", flush=True)
                context.close()
        browser.close()
    return results


def section(results: dict[str, dict[str, list[float]]], sizes: dict[str, dict[str, float]], runs: int) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Weak link (2G): page 1 readable",
        "",
        f"Measured by `tests/perf/bench_2g.py` on {platform.node()} ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}), {now}; {runs} runs each. Link emulated by a TCP proxy on loopback: "
        f"{DOWN_BPS // 1000} kbit/s down, {UP_BPS // 1000} kbit/s up, {RTT_S * 1000:.0f} ms RTT (one handshake RTT "
        "per connection, bandwidth shared by all connections). Chromium, Pixel 7 profile, the leader opening a "
        "document just submitted to him. Target: page 1 readable within "
        f"{TARGET_MS} ms cold.",
        "",
        "| document | text layer | page 1 image | cold p50 | cold max | warm p50 | warm max "
        "| bytes until readable (cold) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in results.items():
        cold, warm = values["cold"], values["warm"]
        ok = "✓" if max(cold) <= TARGET_MS else "✗"
        lines.append(f"| {name} | {sizes[name]['text_kb']:.1f} KB | {sizes[name]['image_kb']:.0f} KB | "
                     f"{statistics.median(cold):.0f} ms {ok} | {max(cold):.0f} ms | {statistics.median(warm):.0f} ms | "
                     f"{max(warm):.0f} ms | {statistics.median(values['kb']):.1f} KB |")
    lines += [
        "",
        "- **cold**: fresh browser context: empty HTTP cache, no service worker, only the session cookie.",
        "- **warm**: the same context after one document page was opened (shell assets cached, service worker "
        "installed), opening another new document.",
        "- **readable**: the reading view's first paragraph laid out with the style sheet applied (the PDF's text "
        "layer, sent inside the HTML; see docs/pwa.md \"Reading view\"). The page images follow it and load only "
        "when they approach the viewport (`loading=\"lazy\"`), sent without gzip (WebP is already compressed).",
        "- Before the reading view (issue 11): 3.1 s for a 1-page and 6.5 s for a dense 2-page document, when page 1 "
        "was readable only as its image (55–95 KB) and page 2 was fetched with it.",
    ]
    return "\n".join(lines)


def write_doc(text: str) -> Path:
    path = REPO / "docs" / "performance.md"
    current = path.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text.rstrip()}\n{END}"
    if BEGIN in current and END in current:
        current = current[: current.index(BEGIN)] + block + current[current.index(END) + len(END):]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="cv-bench-2g-"))
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{data / 'congvan.db'}"
    env = {**os.environ, "APP_ENV": "demo", "DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'congvan.db'}",
           "PORT": str(port), "HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    base = f"http://127.0.0.1:{port}"
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "backend", command], env=env, cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)
    web = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env=env, cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        shapes: dict[str, list[int]] = {}
        sizes: dict[str, dict[str, float]] = {}
        leader = http_login(base, LEADER)
        for name, pages, dense, first_number in (("1 page", 1, False, 10), ("2 pages, dense", 2, True, 20)):
            pdf = document_pdf(pages, dense)
            shapes[name] = [register(base, database_url, pdf, str(first_number + i)) for i in range(2)]
            for doc_id in shapes[name]:  # render once, as the first reader's visit would
                html = leader.get(f"/incoming/{doc_id}").text
                image = leader.get(f"/incoming/{doc_id}/pages/1")
            start_text, end_text = html.find('id="reading-view"'), html.find("</article>")
            sizes[name] = {"text_kb": max(0, end_text - start_text) / 1024, "image_kb": len(image.content) / 1024}
        cookies = [{"name": name, "value": value, "domain": "127.0.0.1", "path": "/"}
                   for name, value in leader.cookies.items()]
        leader.close()
        link = Link2G(port)
        link.start()
        results = measure(f"http://127.0.0.1:{link.port}", cookies, shapes, args.runs, link)
        text = section(results, sizes, args.runs)
        print(text)
        if not args.no_write:
            print(f"written to {write_doc(text)}")
    finally:
        web.terminate()
        web.wait(timeout=10)


if __name__ == "__main__":
    main()
