"""An OCI image layout (and the same as one tarball) from layer tars, byte for byte reproducible.

Why our own writer: the digest is the image's identity, so everything that goes into it is
fixed here: canonical JSON (sorted keys, no spaces), `created` and history times fixed,
gzip with mtime 0 and no file name. diff_ids are the sha256 of the uncompressed layers, so
they do not even depend on the zlib build; the compressed digests do, and are the same on
every machine with Debian 12's zlib.

The tarball holds the OCI layout plus Docker's `manifest.json`, as `docker save` has written
since Docker 25, so `docker load`, `podman load` and skopeo (`oci-archive:` and
`docker-archive:`) all read it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.image.layers import CREATED, LayerBuilder

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
INDEX = "application/vnd.oci.image.index.v1+json"
REF_NAME = "org.opencontainers.image.ref.name"


def canonical(value: Any) -> bytes:
    """The one JSON encoding every blob uses: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Layer:
    """A layer tar and one line saying what made it (the config's history)."""

    path: Path
    created_by: str


@dataclass(frozen=True)
class ImageConfig:
    """What runs: the parts of the OCI config a serving image sets."""

    entrypoint: list[str]
    cmd: list[str]
    env: Mapping[str, str]
    user: str = "65532:65532"
    working_dir: str = "/home/nonroot"
    exposed_ports: Sequence[int] = ()
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Descriptor:
    media_type: str
    digest: str
    size: int

    def json(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


@dataclass(frozen=True)
class ImageResult:
    manifest: Descriptor
    config: Descriptor
    layers: list[Descriptor]
    diff_ids: list[str]


def _blob_path(layout: Path, digest: str) -> Path:
    return layout / "blobs" / "sha256" / digest.removeprefix("sha256:")


def write_blob(layout: Path, data: bytes, media_type: str) -> Descriptor:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = _blob_path(layout, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Descriptor(media_type, digest, len(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def compress_layer(layout: Path, layer: Path, level: int = 6, cache: Path | None = None) -> tuple[Descriptor, str]:
    """gzip `layer` into the layout; returns its descriptor and its diff_id.

    With `cache`, the gzip of a layer already compressed once (same diff_id) is copied from
    there: compressing the 600 MB requirements layer is most of a warm build.
    """
    diff_id = _sha256(layer)
    cached = cache / diff_id.removeprefix("sha256:") if cache is not None else None
    blobs = layout / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    if cached is not None and cached.is_file():
        digest = _sha256(cached)
        shutil.copyfile(cached, _blob_path(layout, digest))
        return Descriptor(LAYER, digest, cached.stat().st_size), diff_id
    with tempfile.NamedTemporaryFile(dir=blobs, delete=False) as temporary:
        with layer.open("rb") as source, gzip.GzipFile(filename="", mode="wb", fileobj=temporary,
                                                       compresslevel=level, mtime=0) as zipped:
            shutil.copyfileobj(source, zipped, 1 << 20)
    data_path = Path(temporary.name)
    data_path.chmod(0o644)
    digest = _sha256(data_path)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data_path, cached.with_suffix(".partial"))
        cached.with_suffix(".partial").replace(cached)
    size = data_path.stat().st_size
    data_path.replace(_blob_path(layout, digest))
    return Descriptor(LAYER, digest, size), diff_id


def config_document(config: ImageConfig, diff_ids: Sequence[str], history: Sequence[str]) -> dict[str, Any]:
    runtime: dict[str, Any] = {
        "Entrypoint": list(config.entrypoint),
        "Cmd": list(config.cmd),
        "Env": [f"{key}={value}" for key, value in sorted(config.env.items())],
        "User": config.user,
        "WorkingDir": config.working_dir,
    }
    if config.exposed_ports:
        runtime["ExposedPorts"] = {f"{port}/tcp": {} for port in sorted(config.exposed_ports)}
    if config.labels:
        runtime["Labels"] = dict(sorted(config.labels.items()))
    return {
        "architecture": "amd64",
        "os": "linux",
        "created": CREATED,
        "config": runtime,
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": [{"created": CREATED, "created_by": line} for line in history],
    }


def write_layout(
    layers: Sequence[Layer], config: ImageConfig, out: Path, *, tag: str = "latest", gzip_cache: Path | None = None
) -> ImageResult:
    """Write an OCI image layout at `out` (replaced if present)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    descriptors, diff_ids = [], []
    for layer in layers:
        descriptor, diff_id = compress_layer(out, layer.path, cache=gzip_cache)
        descriptors.append(descriptor)
        diff_ids.append(diff_id)
    config_blob = write_blob(out, canonical(config_document(config, diff_ids, [l.created_by for l in layers])), CONFIG)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": config_blob.json(),
        "layers": [d.json() for d in descriptors],
    }
    manifest_blob = write_blob(out, canonical(manifest), MANIFEST)
    index = {
        "schemaVersion": 2,
        "mediaType": INDEX,
        "manifests": [{**manifest_blob.json(), "annotations": {REF_NAME: tag}}],
    }
    (out / "index.json").write_bytes(canonical(index))
    (out / "oci-layout").write_bytes(canonical({"imageLayoutVersion": "1.0.0"}))
    return ImageResult(manifest_blob, config_blob, descriptors, diff_ids)


def read_manifest(layout: Path) -> tuple[str, dict[str, Any]]:
    """The digest and document of the layout's (single) manifest."""
    index = json.loads((layout / "index.json").read_bytes())
    digest = index["manifests"][0]["digest"]
    return digest, json.loads(_blob_path(layout, digest).read_bytes())


def read_config(layout: Path) -> dict[str, Any]:
    _, manifest = read_manifest(layout)
    return json.loads(_blob_path(layout, manifest["config"]["digest"]).read_bytes())


def layer_blobs(layout: Path) -> list[Path]:
    _, manifest = read_manifest(layout)
    return [_blob_path(layout, layer["digest"]) for layer in manifest["layers"]]


def write_archive(layout: Path, out: Path, *, repo_tag: str) -> None:
    """The layout as one deterministic tar, plus Docker's manifest.json naming `repo_tag`."""
    _, manifest = read_manifest(layout)
    docker = [{
        "Config": f"blobs/sha256/{manifest['config']['digest'].removeprefix('sha256:')}",
        "RepoTags": [repo_tag],
        "Layers": [f"blobs/sha256/{l['digest'].removeprefix('sha256:')}" for l in manifest["layers"]],
    }]
    archive = LayerBuilder()
    archive.tree(layout, ".")
    archive.file("manifest.json", canonical(docker))
    archive.write(out)


def read_config_json(path: Path) -> ImageConfig:
    """The JSON `app_layer --config-out` writes, back as an ImageConfig."""
    data = json.loads(path.read_bytes())
    return ImageConfig(**data)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", action="append", required=True, metavar="TAR=DESCRIPTION",
                        help="a layer tar and the history line that says what made it, in order")
    parser.add_argument("--config", type=Path, required=True, help="run configuration JSON (app_layer --config-out)")
    parser.add_argument("--out", type=Path, required=True, help="the OCI layout folder to write")
    parser.add_argument("--archive", type=Path, default=None, help="also write the layout as one tarball")
    parser.add_argument("--tag", default="latest")
    parser.add_argument("--repo-tag", default=None, help="name:tag that docker load gives the tarball")
    args = parser.parse_args(argv)
    layers = [Layer(Path(item.partition("=")[0]), item.partition("=")[2]) for item in args.layer]
    result = write_layout(layers, read_config_json(args.config), args.out, tag=args.tag)
    if args.archive is not None:
        write_archive(args.out, args.archive, repo_tag=args.repo_tag or f"image:{args.tag}")
    print(f"{args.out}: {result.manifest.digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
