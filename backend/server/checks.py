"""Startup checks with actionable bilingual hints (Vietnamese first, English in brackets).

Fatal problems (data dir not writable, database unreachable, migrations missing, Redis configured
but unreachable, the S3 blob store configured but unusable) return a non-zero code; the signing
server being down is only a warning, because everything except signing still works without it.
"""

from __future__ import annotations

import os

import httpx
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from backend.config.settings import Settings
from backend.db.engine import create_engine
from backend.db.migrate import alembic_config

__all__ = ["run_checks"]


async def _database(settings: Settings) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    except Exception as exc:  # noqa: BLE001 - any connection failure becomes a hint
        return [f"Không kết nối được cơ sở dữ liệu ({type(exc).__name__}). Kiểm tra DATABASE_URL và máy chủ CSDL. "
                "[Cannot reach the database; check DATABASE_URL.]"]
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    if current != head:
        return [f"Cơ sở dữ liệu chưa được cập nhật cấu trúc (đang ở {current}, cần {head}). Chạy: python -m backend "
                "migrate. [Database is not migrated to head.]"]
    return []


async def _redis(settings: Settings) -> list[str]:
    if not settings.redis_url:
        return []
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        return [f"Không kết nối được Redis tại REDIS_URL ({type(exc).__name__}). Bỏ REDIS_URL để dùng bộ nhớ trong "
                "tiến trình, hoặc khởi động Redis. [Redis unreachable.]"]
    finally:
        await client.aclose()
    return []


async def _blob_store(settings: Settings) -> list[str]:
    if settings.blob_backend != "s3":
        return []
    from backend.domain.documents.files import blob_store

    try:
        await blob_store(settings).exists("0" * 64)  # creates the bucket if missing, proves the keys
    except Exception as exc:  # noqa: BLE001 - any failure means files cannot be stored
        return [f"Không dùng được kho tệp S3 tại {settings.s3_endpoint}, bucket {settings.s3_bucket} "
                f"({type(exc).__name__}). Kiểm tra S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY. "
                "[S3 blob store unusable.]"]
    return []


async def _signing(settings: Settings) -> list[str]:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            await client.post(f"{settings.signing_url}/csc/v1/info", json={})
    except httpx.HTTPError:
        return [f"Máy chủ ký số không trả lời tại {settings.signing_url}; chức năng ký số tạm thời không dùng được. "
                "[Signing server unreachable at SIGNING_URL; signing is unavailable.]"]
    return []


async def run_checks(settings: Settings, *, verbose: bool = False, include_signing: bool = False) -> int:
    """Run every check; print problems; return 0 when nothing fatal was found."""
    fatal: list[str] = []
    if not os.access(settings.data_dir, os.W_OK):
        fatal.append(f"Không ghi được vào thư mục dữ liệu {settings.data_dir}. Đặt DATA_DIR tới thư mục có quyền ghi. "
                     "[DATA_DIR is not writable.]")
    fatal += await _database(settings)
    fatal += await _redis(settings)
    fatal += await _blob_store(settings)
    warnings = await _signing(settings) if include_signing else []
    for line in fatal:
        print(f"LỖI / ERROR: {line}")
    for line in warnings:
        print(f"CẢNH BÁO / WARNING: {line}")
    if verbose and not fatal:
        print("Kiểm tra khởi động: OK [startup checks passed]")
    return 1 if fatal else 0
