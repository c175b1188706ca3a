"""Search under load: p95 of the search page at 20 concurrent users over a generated province, against the
bare indexed query of the same page in the same run (issue 15).

Run (the province is generated, indexed and given a text layer when the database has no agency yet)::

    .venv/bin/python -m tests.perf.bench_search --database-url sqlite:///data/search.db --documents 200000
    .venv/bin/python -m tests.perf.bench_search --database-url postgresql://postgres@127.0.0.1:5432/search_bench

It starts a real ``serve`` process on loopback; each of ``--users`` concurrent clients logs in as a clerk of a
different agency (the province office first: it holds ~30 % of the documents) and requests the search
results fragment (``/search?q=…`` with ``HX-Request``) for a mix of queries: one and several words without
diacritics, with diacritics, an exact phrase, a number prefix, a filter. Two runs: first each user searches
every ``--every`` seconds (2 s by default, the think time of the 50-user load in ``load_driver``: people read
their results before the next search), then each asks again the moment an answer arrives (the saturation
throughput). Afterwards, on its own connection, it runs for each query the bare SELECT of the same page
(match + the province office's scope + order + limit, no snippet, no template) and prints p50/p95 of both and
the ratio of the p95s. ``--prepare-only`` stops once the province is generated, indexed and given its text.

The generated documents are given a synthetic text layer (``--text-chars`` of Vietnamese sentences each,
written straight into the index like the extraction job would) so the index is as large as with real PDFs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import ContentStatus, SearchEntry, User
from backend.domain.accounts.actor import load_actor
from backend.domain.search.engines import engine_for
from backend.domain.search.indexer import folded_text
from backend.domain.search.queries import page_ids, parse_filters
from tests.perf.bench_province import CSRF, PASSWORD, free_port, has_province, pct, run_backend

REPO = Path(__file__).resolve().parents[2]
QUERIES = ["chuyen doi so", "phòng chống thiên tai", '"quyet toan ngan sach"', "ngan sach", "dat dai nam",
           "thi dua khen thuong", "12", "moi truong kiem tra", "nong thon moi", "giao thong"]
FILTERED = "q=thien+tai&urgency=khan&sort=date"
SENTENCES = [
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư.",
    "Đề nghị các cơ quan, đơn vị khẩn trương triển khai thực hiện và báo cáo kết quả trước ngày 15.",
    "Ủy ban nhân dân huyện giao Phòng Tài chính - Kế hoạch chủ trì, phối hợp với các phòng ban liên quan.",
    "Trong quá trình thực hiện nếu có khó khăn, vướng mắc đề nghị phản ánh về Văn phòng để tổng hợp.",
    "Tăng cường kiểm tra, giám sát việc chấp hành pháp luật về đất đai, xây dựng và bảo vệ môi trường.",
    "Bố trí kinh phí từ nguồn ngân sách địa phương năm 2026 để thực hiện các nhiệm vụ được giao.",
    "Thực hiện nghiêm chế độ thông tin, báo cáo định kỳ hằng tháng, quý, sáu tháng và năm.",
    "Đẩy mạnh ứng dụng công nghệ thông tin, chữ ký số trong gửi nhận văn bản điện tử.",
    "Chủ động phương án ứng phó với mưa lũ, sạt lở đất, bảo đảm an toàn tính mạng và tài sản của nhân dân.",
    "Tổ chức tuyên truyền sâu rộng đến cán bộ, công chức, viên chức và người lao động trên địa bàn.",
    "Giao Công an huyện phối hợp với Ủy ban nhân dân các xã, thị trấn bảo đảm trật tự an toàn giao thông.",
    "Kết quả thực hiện là tiêu chí đánh giá, xếp loại thi đua cuối năm của tập thể và cá nhân.",
]


async def add_text_layer(url: str, chars: int, batch: int = 5000) -> int:
    """Give every entry still pending a synthetic text layer of about ``chars`` characters (bulk, like the
    extraction job would, one batch per transaction)."""
    rng = random.Random(15)
    engine = create_engine(url, pool=False)
    done = 0
    try:
        async with create_sessionmaker(engine)() as db:
            fts = engine_for(db.bind.dialect.name)
            while True:
                rows = (await db.execute(sa.select(SearchEntry.id, SearchEntry.agency_id, SearchEntry.metadata_text)
                                         .where(SearchEntry.content_status == ContentStatus.PENDING)
                                         .limit(batch))).all()
                if not rows:
                    break
                updates = []
                for entry_id, agency_id, metadata in rows:
                    text = ""
                    while len(text) < chars:
                        text += rng.choice(SENTENCES) + " "
                    updates.append({"eid": entry_id, "agency": agency_id, "text": text,
                                    "folded": folded_text(metadata, text)})
                await db.execute(sa.update(SearchEntry.__table__).where(SearchEntry.id == sa.bindparam("eid"))
                                 .values(content_text=sa.bindparam("text"), folded=sa.bindparam("folded"),
                                         content_status=ContentStatus.TEXT.value), updates)
                await db.run_sync(lambda s, u=updates: fts.store(s, [(row["eid"], row["agency"], row["folded"])
                                                                               for row in u]))
                await db.commit()
                done += len(updates)
                print(f"  text layer: {done}", flush=True)
    finally:
        await engine.dispose()
    return done


async def clerks(url: str, count: int) -> list[str]:
    engine = create_engine(url, pool=False)
    try:
        async with engine.connect() as conn:
            names = list((await conn.scalars(sa.select(User.username).where(User.username.like("vanthu.%"))
                                             .order_by(User.id).limit(count * 3))).all())
    finally:
        await engine.dispose()
    names.sort(key=lambda name: (name != "vanthu.tinh", name))
    return names[:count]


async def load(base: str, users: list[str], rounds: int, every: float) -> dict[str, list[float]]:
    """Each user runs ``rounds`` passes over the query mix. ``every`` > 0: a user starts a search every ``every``
    seconds (from a random phase; the next one right away when an answer came later than that) -- users who read
    their results between searches. ``every`` = 0: each asks again the moment an answer arrives (saturation)."""
    samples: dict[str, list[float]] = {query: [] for query in [*QUERIES, FILTERED]}

    async def one(username: str, seed: int) -> None:
        rng = random.Random(seed)
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            token = CSRF.search((await client.get("/login")).text)
            assert token
            answer = await client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                                       "_csrf_token": token.group(1)})
            assert answer.status_code == 303, username
            order = [*QUERIES, FILTERED]
            rng.shuffle(order)
            due = time.perf_counter() + rng.uniform(0, every)
            for _ in range(rounds):
                for query in order:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    path = f"/search?{query}" if query == FILTERED else "/search"
                    params = None if query == FILTERED else {"q": query}
                    started = time.perf_counter()
                    response = await client.get(path, params=params, headers={
                        "HX-Request": "true", "HX-Target": "search-results"})
                    samples[query].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, f"{query}: {response.status_code}"
                    due = max(due + every, time.perf_counter()) if every else 0.0

    await asyncio.gather(*(one(name, index) for index, name in enumerate(users)))
    return samples


async def bare(url: str, runs: int) -> dict[str, list[float]]:
    """The page's own SELECTs of the entry ids (match + the province office clerk's scope + order + limit: what
    :func:`page_ids` runs for the first page), without reading the shown rows, snippets or the template, on its
    own connection."""
    engine = create_engine(url, pool=False)
    out: dict[str, list[float]] = {}
    try:
        async with create_sessionmaker(engine)() as db:
            user_id = await db.scalar(sa.select(User.id).where(User.username == "vanthu.tinh"))
            actor = await load_actor(db, int(user_id or 0), None)
            assert actor is not None
            for query in [*QUERIES, FILTERED]:
                params = dict(part.split("=") for part in query.split("&")) if query == FILTERED else {"q": query}
                filters = parse_filters({key: value.replace("+", " ") for key, value in params.items()})
                await page_ids(db, actor, filters)
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    await page_ids(db, actor, filters)
                    times.append((time.perf_counter() - started) * 1000)
                out[query] = times
    finally:
        await engine.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/search_bench")
    parser.add_argument("--documents", type=int, default=200_000, help="generated when the database is empty")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query mix per user")
    parser.add_argument("--every", type=float, default=2.0,
                        help="seconds between one user's searches in the first run (the second run: none)")
    parser.add_argument("--text-chars", type=int, default=1500)
    parser.add_argument("--web-workers", type=int, default=0, help="WEB_CONCURRENCY for serve (0: its default)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="generate, index and add the text layer, then stop (measure in a later run)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    env = {**os.environ, "APP_ENV": "demo", "DATA_DIR": str(data_dir), "DATABASE_URL": args.database_url,
           "PYTHONPATH": str(REPO)}
    env.pop("REDIS_URL", None)
    if args.web_workers:
        env["WEB_CONCURRENCY"] = str(args.web_workers)
    url = load_settings(env).database_url
    run_backend(env, "migrate")
    count = asyncio.run(has_province(url))
    if not count:
        started = time.perf_counter()
        print(run_backend(env, "generate-province", "--documents", str(args.documents)))
        print(f"generated in {time.perf_counter() - started:.0f} s")
        count = asyncio.run(has_province(url))
    started = time.perf_counter()
    print(run_backend(env, "search", "reindex", "--no-text") if not asyncio.run(_indexed(url)) else "index present")
    print(f"text layer for {asyncio.run(add_text_layer(url, args.text_chars))} entries "
          f"({time.perf_counter() - started:.0f} s with the reindex)")
    asyncio.run(analyze(url))
    if args.prepare_only:
        return 0
    users = asyncio.run(clerks(url, args.users))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env={**env, "PORT": str(port)}, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        runs = []
        for every in (args.every, 0.0):
            started = time.perf_counter()
            pages = asyncio.run(load(base, users, args.rounds, every))
            runs.append((every, pages, time.perf_counter() - started))
        raw = asyncio.run(bare(url, 20))
    finally:
        server.terminate()
        server.wait(timeout=30)
    dialect = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n{dialect}, {count:,} incoming documents (+ outgoing), {len(users)} concurrent users; "
          f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for every, pages, elapsed in runs:
        report(pages, raw, elapsed, every)
    return 0


def report(pages: dict[str, list[float]], raw: dict[str, list[float]], elapsed: float, every: float) -> None:
    total = sum(len(v) for v in pages.values())
    every_ms = [ms for values in pages.values() for ms in values]
    model = f"each user searches every {every:g} s" if every else "each user asks again at once (saturation)"
    print(f"\n{model}: {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s); "
          f"all requests: p50 {statistics.median(every_ms):.0f} ms, p95 {pct(every_ms, 0.95):.0f} ms")
    print("| query | page p50 ms | page p95 ms | bare p50 ms | bare p95 ms | ratio (p95) |")
    print("|---|---:|---:|---:|---:|---:|")
    for query, samples in pages.items():
        ratio = pct(samples, 0.95) / max(pct(raw[query], 0.95), 0.01)
        print(f"| `{query}` | {statistics.median(samples):.0f} | {pct(samples, 0.95):.0f} | "
              f"{statistics.median(raw[query]):.1f} | {pct(raw[query], 0.95):.1f} | {ratio:.0f}× |")


async def analyze(url: str) -> None:
    """Fresh planner statistics after the bulk writes (autovacuum would do it in production, later)."""
    engine = create_engine(url, pool=False)
    try:
        async with engine.connect() as conn:
            if url.startswith("postgres"):
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("VACUUM ANALYZE search_entry")
            else:
                await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


async def _indexed(url: str) -> bool:
    engine = create_engine(url, pool=False)
    try:
        async with engine.connect() as conn:
            return bool(await conn.scalar(sa.select(sa.func.count()).select_from(
                sa.select(SearchEntry.id).limit(1).subquery())))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
