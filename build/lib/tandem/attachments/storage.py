"""Where attachment bytes live, behind one small protocol.

`LocalStore` (the default) keeps them under `<data_dir>/attachments/`; `S3Store` in an
S3-compatible bucket (boto3, the `s3` extra). Keys are made by us (`new_key`), never from a
client's file name, so they cannot climb out of the directory.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path
from typing import Any, Protocol

from tandem.config import Settings

_KEY = re.compile(r"^[0-9a-f]{2}/[A-Za-z0-9_]+(\.[a-z0-9]{2,5})?$")


class AttachmentStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes:
        """The stored bytes; raises KeyError when the key holds nothing."""
        ...

    async def delete(self, key: str) -> None: ...


def new_key(stem: str, extension: str) -> str:
    return f"{secrets.token_hex(1)}/{stem}.{extension}"


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not an attachment key: {key!r}")
    return key


class LocalStore:
    """Files in a directory; written to a temporary name and renamed, so a crash mid-write
    never leaves half a file under the real name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


class S3Store:
    """An S3-compatible bucket. `client` is a boto3 S3 client (built by `build_store`)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=_checked(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        def _read() -> bytes:
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
            except self.client.exceptions.NoSuchKey as exc:
                raise KeyError(key) from exc
            body: bytes = response["Body"].read()
            return body

        return await asyncio.to_thread(_read)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=_checked(key))


def build_store(settings: Settings) -> AttachmentStore:
    """The store the settings name: `local` (default) or `s3`."""
    if settings.attachment_store == "s3":
        if not settings.attachment_s3_bucket:
            raise ValueError(
                "TANDEM_ATTACHMENT_STORE=s3 needs TANDEM_ATTACHMENT_S3_BUCKET (and usually "
                "TANDEM_ATTACHMENT_S3_ENDPOINT_URL for a non-AWS server)"
            )
        return S3Store(_s3_client(settings), settings.attachment_s3_bucket)
    return LocalStore(settings.data_dir / "attachments")


def _s3_client(settings: Settings) -> Any:
    try:
        import boto3  # noqa: PLC0415  (an optional extra: only S3 users install it)
    except ImportError as exc:
        raise ValueError("the s3 attachment store needs boto3: pip install 'tandem[s3]'") from exc
    # Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID, ~/.aws, a role).
    return boto3.client(
        "s3",
        endpoint_url=settings.attachment_s3_endpoint_url,
        region_name=settings.attachment_s3_region,
    )
