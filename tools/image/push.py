"""Push an OCI image layout to a registry: first by digest, then the tag onto that digest.

Why two steps: a tag is a mutable pointer, a digest is not. Pushing by digest first means the
manifest is stored under the exact bytes that were built (skopeo `--preserve-digests` refuses
any conversion); the tag is then moved to that digest in one small request, so a reader never
sees a tag pointing at half-pushed content.

Credentials come from the environment only (`PSML_REGISTRY_USERNAME`, `PSML_REGISTRY_PASSWORD`,
or an auth file named by `REGISTRY_AUTH_FILE`), never from the repository; they reach skopeo in
a private auth file, not on its command line. `--insecure` (plain HTTP, no TLS check) is for a
test network; a registry on 127.0.0.1 or localhost gets it without asking.

    python -m tools.image.push --image LAYOUT --repository HOST[:PORT]/NAME --tag TAG [--insecure]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.image.oci import read_manifest

USERNAME_ENV = "PSML_REGISTRY_USERNAME"
PASSWORD_ENV = "PSML_REGISTRY_PASSWORD"
AUTH_FILE_ENV = "REGISTRY_AUTH_FILE"
# A registry on the machine itself speaks plain HTTP (Debian's docker-registry does by default).
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


class PushError(RuntimeError):
    """skopeo failed, or the registry holds other bytes than were built."""


@dataclass(frozen=True)
class Pushed:
    repository: str
    tag: str
    digest: str

    @property
    def by_digest(self) -> str:
        return f"{self.repository}@{self.digest}"


def _auth_file(repository: str, environ: Mapping[str, str], folder: Path) -> Path | None:
    user, password = environ.get(USERNAME_ENV), environ.get(PASSWORD_ENV)
    if user and password:
        host = repository.split("/", 1)[0]
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        path = folder / "auth.json"
        path.touch(mode=0o600)
        path.write_text(json.dumps({"auths": {host: {"auth": token}}}), encoding="utf-8")
        return path
    if environ.get(AUTH_FILE_ENV):
        return Path(environ[AUTH_FILE_ENV])
    return None


def _skopeo(arguments: Sequence[str]) -> str:
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        raise PushError("skopeo is not installed: tools/dev/ensure-apt skopeo")
    result = subprocess.run([skopeo, *arguments], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PushError(f"skopeo {' '.join(arguments[:1])} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


def push(layout: Path, repository: str, tag: str, *, insecure: bool = False,
         environ: Mapping[str, str] | None = None) -> Pushed:
    """Push `layout` to `repository` by digest, tag it, and check the registry's manifest digest."""
    environ = os.environ if environ is None else environ
    insecure = insecure or repository.split("/", 1)[0].rsplit(":", 1)[0] in LOOPBACK
    if "@" in repository or repository.rsplit("/", 1)[-1].count(":"):
        raise PushError(f"--repository {repository!r} must be HOST[:PORT]/NAME, without a tag or digest")
    digest, _ = read_manifest(layout)
    index = json.loads((layout / "index.json").read_bytes())
    source_tag = index["manifests"][0].get("annotations", {}).get("org.opencontainers.image.ref.name", "")
    source = f"oci:{layout}:{source_tag}" if source_tag else f"oci:{layout}"
    tls = [f"--dest-tls-verify={'false' if insecure else 'true'}"]
    with tempfile.TemporaryDirectory(prefix="psml-push-") as scratch:
        auth = _auth_file(repository, environ, Path(scratch))
        dest_auth = ["--dest-authfile", str(auth)] if auth else []
        src_auth = ["--src-authfile", str(auth)] if auth else []
        _skopeo(["copy", "--quiet", "--preserve-digests", *tls, *dest_auth, source, f"docker://{repository}@{digest}"])
        _skopeo(["copy", "--quiet", "--preserve-digests", f"--src-tls-verify={'false' if insecure else 'true'}",
                 *tls, *src_auth, *dest_auth, f"docker://{repository}@{digest}", f"docker://{repository}:{tag}"])
        inspect_auth = ["--authfile", str(auth)] if auth else []
        raw = _skopeo(["inspect", "--raw", f"--tls-verify={'false' if insecure else 'true'}", *inspect_auth,
                       f"docker://{repository}:{tag}"])
    remote = "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    if remote != digest:
        raise PushError(f"{repository}:{tag} has manifest {remote}, but {digest} was built and pushed")
    return Pushed(repository, tag, digest)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", type=Path, required=True, help="the OCI image layout to push")
    parser.add_argument("--repository", required=True, help="HOST[:PORT]/NAME")
    parser.add_argument("--tag", required=True)
    parser.add_argument("--insecure", action="store_true", help="plain HTTP / no TLS verification")
    args = parser.parse_args(argv)
    try:
        pushed = push(args.image, args.repository, args.tag, insecure=args.insecure)
    except PushError as error:
        print(f"push: {error}", file=sys.stderr)
        return 1
    print(f"pushed {pushed.by_digest} as {pushed.repository}:{pushed.tag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
