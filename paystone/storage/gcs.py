"""An artifact store in a Google Cloud Storage bucket (or the fake-gcs-server emulator)."""

from __future__ import annotations

import os
import threading

from google.api_core.exceptions import NotFound, PreconditionFailed
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from paystone.storage.errors import ArtifactNotFoundError
from paystone.storage.store import ArtifactStore, validate_key

EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
# The emulator accepts any project; a fixed name keeps the client from looking one up.
EMULATOR_PROJECT = "psml-emulator"


def default_client() -> storage.Client:
    """A client for the real service, or for the emulator when `STORAGE_EMULATOR_HOST` is set.

    The emulator has no authentication, and looking up default credentials would fail (or worse,
    pick up a developer's real account), so it gets anonymous credentials and a fixed project.
    """
    if os.environ.get(EMULATOR_ENV):
        project = os.environ.get("GOOGLE_CLOUD_PROJECT", EMULATOR_PROJECT)
        return storage.Client(project=project, credentials=AnonymousCredentials())
    return storage.Client()


class GCSStore(ArtifactStore):
    """Objects under `gs://bucket/prefix/`; key `a/b` is the object `prefix/a/b`."""

    def __init__(self, bucket: str, prefix: str = "", client: storage.Client | None = None) -> None:
        if not bucket or "/" in bucket:
            raise ValueError(f"invalid GCS bucket name {bucket!r}")
        self.bucket_name = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            validate_key(self.prefix)
        self._client = client
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GCSStore({self.bucket_name!r}, {self.prefix!r})"

    @property
    def client(self) -> storage.Client:
        # Created on first use so that `open_store("gs://...")` needs no credentials until
        # something is actually read or written.
        with self._client_lock:
            if self._client is None:
                self._client = default_client()
            return self._client

    def _object_name(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _blob(self, key: str) -> storage.Blob:
        return self.client.bucket(self.bucket_name).blob(self._object_name(key))

    def create_exclusive(self, key: str, data: bytes) -> bool:
        # if_generation_match=0: the service creates the object only if no live generation
        # exists, atomically, so concurrent writers get exactly one winner.
        try:
            self._blob(key).upload_from_string(
                data, content_type="application/octet-stream", if_generation_match=0
            )
        except PreconditionFailed:
            return False
        return True

    def read(self, key: str) -> bytes:
        try:
            return self._blob(key).download_as_bytes()
        except NotFound:
            raise ArtifactNotFoundError(key, self.describe(key)) from None

    def exists(self, key: str) -> bool:
        return self._blob(key).exists()

    def list(self, prefix: str = "") -> list[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        blobs = self.client.list_blobs(self.bucket_name, prefix=base + prefix)
        return sorted(blob.name[len(base) :] for blob in blobs)

    def describe(self, key: str) -> str:
        return f"gs://{self.bucket_name}/{self._object_name(key)}"
