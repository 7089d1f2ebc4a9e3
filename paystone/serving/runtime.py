"""Runtime configuration of a serving process, read from the environment at start-up.

- `PSML_STORAGE_ROOT`: a local folder or `gs://bucket/prefix` (default `./artifacts`).
- `PSML_RUN`: the run to serve when the app serves an unpromoted run (default: the latest run).
- `PSML_VERSION`: `v<major>.m<minor>`: serve that promoted version (its run comes from the
  version record); read by `create_serving_app`, since the versioned path depends on it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, Field, ValidationError, field_validator

from paystone.serving.artifacts import StoredArtifacts
from paystone.serving.errors import ServingConfigError
from paystone.serving.versions import UNPROMOTED, ServiceVersion, resolve_version

STORAGE_ROOT_ENV = "PSML_STORAGE_ROOT"
RUN_ENV = "PSML_RUN"
VERSION_ENV = "PSML_VERSION"
DEFAULT_STORAGE_ROOT = "./artifacts"  # the same default as paystone.storage.roots.DEFAULT_ROOT


class ServingConfig(BaseModel):
    """What a serving process serves, as given by its environment."""

    storage_root: str = Field(
        default=DEFAULT_STORAGE_ROOT, description=f"Artifact root (${STORAGE_ROOT_ENV})."
    )
    run: str | None = Field(default=None, description=f"Run id to serve (${RUN_ENV}).")
    version: ServiceVersion | None = Field(
        default=None, description=f"Promoted version to serve, v<major>.m<minor> (${VERSION_ENV})."
    )

    @field_validator("version", mode="before")
    @classmethod
    def _parse_version(cls, value: object) -> object:
        return ServiceVersion.parse(value) if isinstance(value, str) else value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServingConfig:
        env = os.environ if environ is None else environ
        values = {
            "storage_root": env.get(STORAGE_ROOT_ENV) or DEFAULT_STORAGE_ROOT,
            "run": env.get(RUN_ENV) or None,
            "version": env.get(VERSION_ENV) or None,
        }
        try:
            config = cls(**values)
        except ValidationError as exc:
            raise ServingConfigError(
                f"${VERSION_ENV}={values['version']!r} is not a version: expected v<major>.m<minor>"
                f" ({exc.errors(include_url=False)[0]['msg']})"
            ) from None
        if config.run is not None and config.version is not None and config.version.promoted:
            raise ServingConfigError(
                f"set ${RUN_ENV} ({config.run!r}) or ${VERSION_ENV} ({config.version}), not both: "
                "a promoted version names its own run"
            )
        return config

    @property
    def served_version(self) -> ServiceVersion:
        return self.version or UNPROMOTED


def stored_artifacts(service: str, version: ServiceVersion, config: ServingConfig) -> StoredArtifacts:
    """The artifact source a production process serves from: a promoted version, a run, or the latest run."""
    from paystone.storage.roots import open_store
    from paystone.storage.runs import latest_run

    store = open_store(config.storage_root)
    if version.promoted:
        run_id = resolve_version(store, service, version.major, version.minor)
    elif config.run is not None:
        run_id = config.run
    else:
        latest = latest_run(store, service)
        if latest is None:
            raise ServingConfigError(
                f"no run of service {service!r} under {config.storage_root!r}: train one, "
                f"or point ${STORAGE_ROOT_ENV} at the root that holds its runs"
            )
        run_id = latest
    return StoredArtifacts(store, service, run_id)
