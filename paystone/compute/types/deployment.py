"""Where and what to deploy: the parts of a deployment that are not hardware."""

from __future__ import annotations

import hashlib
import os
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from paystone.compute.types.infrastructure import ServingGroup, TrainingMachine
from paystone.serving.versions import ServiceVersion

_SERVICE = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER_PROJECT = "PROJECT_ID"
PLACEHOLDER_STORAGE_ROOT = "gs://BUCKET/artifacts"
NAME_PREFIX = "psml"


def _gce_name(*parts: str, limit: int = 63) -> str:
    """A Compute Engine resource name (`[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters)."""
    name = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts if part)
    if len(name) > limit:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: limit - 9].rstrip('-')}-{digest}"
    return name


class DeploymentTarget(BaseModel):
    """The Google Cloud project, network and runtime settings a deployment goes to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str = Field(description="Experiment name, e.g. `housing`.")
    image: str = Field(description="Container image reference of the experiment (serving or training).")
    project: str = Field(
        default_factory=lambda: os.environ.get("GOOGLE_CLOUD_PROJECT", PLACEHOLDER_PROJECT),
        description="Google Cloud project id (default: $GOOGLE_CLOUD_PROJECT, else a placeholder for plans).",
    )
    storage_root: str = Field(
        default_factory=lambda: os.environ.get("PSML_STORAGE_ROOT", PLACEHOLDER_STORAGE_ROOT),
        description="Artifact storage root the container reads (`gs://bucket/prefix`), passed as PSML_STORAGE_ROOT.",
    )
    network: str = Field(default="global/networks/default", description="VPC network of the VMs.")
    subnetwork: str | None = Field(default=None, description="Subnetwork, for custom-mode networks.")
    external_ip: bool = Field(
        default=True,
        description="Give each VM an ephemeral external IP (needed to pull images without Cloud NAT or Private Google Access).",
    )
    service_account: str = Field(
        default="default",
        description="Service account of the VMs; needs read access to the image and the artifact bucket.",
    )

    @field_validator("service")
    @classmethod
    def _service_name(cls, value: str) -> str:
        if not _SERVICE.match(value):
            raise ValueError(f"service={value!r} must be a lower-case Python identifier like 'housing'")
        return value


def parse_version(version: str) -> tuple[int, int]:
    """`v1.m0` -> (1, 0); raises ValueError naming the value otherwise."""
    try:
        parsed = ServiceVersion.parse(version)  # the one parser of version names
    except ValueError:
        raise ValueError(f"version={version!r} is not a service version like 'v1.m0'") from None
    return parsed.major, parsed.minor


class ServingNames(BaseModel):
    """Names of the resources of one served version; deterministic so undeploy finds them again."""

    model_config = ConfigDict(frozen=True)

    prefix: str
    health_check: str
    instance_template: str
    instance_group_manager: str
    autoscaler: str
    base_instance_name: str


class ServingDeployment(BaseModel):
    """One version of one experiment on its serving group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: DeploymentTarget = Field(description="Project, image, storage and network.")
    version: str = Field(description="Service version served, `v<major>.m<minor>`.")
    serving: ServingGroup = Field(description="The serving group from the experiment's hardware.py.")

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        parse_version(value)
        return value

    @property
    def names(self) -> ServingNames:
        prefix = _gce_name(NAME_PREFIX, self.target.service, self.version, limit=50)
        # Instance templates are immutable: a changed spec or image gets a new template name.
        digest = hashlib.sha256(
            (self.serving.model_dump_json() + self.target.model_dump_json()).encode()
        ).hexdigest()[:8]
        return ServingNames(
            prefix=prefix,
            health_check=_gce_name(prefix, "hc"),
            instance_template=_gce_name(prefix, digest),
            instance_group_manager=_gce_name(prefix, "mig"),
            autoscaler=_gce_name(prefix, "as"),
            base_instance_name=_gce_name(prefix, limit=54),
        )


class TrainingDeployment(BaseModel):
    """One remote training run of one experiment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: DeploymentTarget = Field(description="Project, image, storage and network.")
    training: TrainingMachine = Field(description="The training VM from the experiment's hardware.py.")
    run_label: str = Field(description="Unique suffix of the VM name, e.g. a UTC timestamp.")

    @property
    def instance_name(self) -> str:
        return _gce_name(NAME_PREFIX, self.target.service, "train", self.run_label)
