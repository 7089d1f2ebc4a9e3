"""Compute Engine resources behind one small interface, built with `google-cloud-compute` types.

`ComputeClient` wraps one of Google's generated clients (`HealthChecksClient`, ...) with the five
operations the platform needs, waits for each long-running operation, and turns "not found"
into `None`/`False` so that deploy and undeploy can be re-run safely. Each subclass also
builds its resource's specification from the infrastructure model: the same message is printed
as a plan and sent to the API, so the plan is what gets deployed.

The Google client is created on first use with Application Default Credentials; passing `api`
substitutes another object with the same methods (the tests' recording stand-in).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from google.api_core import exceptions as google_exceptions
from google.cloud import compute_v1

from paystone.compute.gunicorn import app_environment
from paystone.compute.startup import USER_DATA_KEY, cloud_config
from paystone.compute.types.deployment import DeploymentTarget, ServingDeployment, TrainingDeployment
from paystone.compute.types.infrastructure import Machine

R = TypeVar("R")
D = TypeVar("D")

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
HTTP_PORT_NAME = "http"
READINESS_PATH = "/readyz"


class ImmutableResourceError(RuntimeError):
    """The resource cannot be changed in place (instance templates): deploy a new one instead."""


def message_to_dict(message: Any) -> dict[str, Any]:
    """A google-cloud-compute message as a plain dict (proto field names, unset fields left out)."""
    return type(message).to_dict(message, always_print_fields_with_no_presence=False)


class ComputeClient(ABC, Generic[R, D]):
    """create / update / list / get / delete of one kind of Compute Engine resource."""

    kind: ClassVar[str]
    zonal: ClassVar[bool]
    resource_argument: ClassVar[str]
    name_argument: ClassVar[str]
    api_factory: ClassVar[Callable[[], Any]]
    update_method: ClassVar[str | None] = None
    update_takes_name: ClassVar[bool] = True

    def __init__(self, project: str, zone: str, *, api: Any | None = None, timeout: float = 900.0) -> None:
        self.project = project
        self.zone = zone
        self.timeout = timeout
        self._api = api

    @property
    def api(self) -> Any:
        if self._api is None:
            self._api = type(self).api_factory()
        return self._api

    def _location(self) -> dict[str, str]:
        return {"project": self.project, "zone": self.zone} if self.zonal else {"project": self.project}

    def _wait(self, operation: Any) -> None:
        operation.result(timeout=self.timeout)

    # -- specifications -------------------------------------------------------------------------

    @abstractmethod
    def create_specification(self, deployment: D) -> R:
        """The resource this deployment needs, as a google-cloud-compute message."""

    def update_specification(self, current: R, deployment: D) -> R:
        """The resource to send to update `current` into what `deployment` needs."""
        desired = self.create_specification(deployment)
        fingerprint = getattr(current, "fingerprint", None)
        if fingerprint:
            desired.fingerprint = fingerprint  # type: ignore[attr-defined]
        return desired

    # -- operations -----------------------------------------------------------------------------

    def create(self, resource: R) -> None:
        self._wait(self.api.insert(**self._location(), **{self.resource_argument: resource}))

    def get(self, name: str) -> R | None:
        try:
            return self.api.get(**self._location(), **{self.name_argument: name})
        except google_exceptions.NotFound:
            return None

    def list(self, *, name_prefix: str = "") -> list[R]:
        request = {**self._location()}
        if name_prefix:
            request["filter"] = f'name eq "{name_prefix}.*"'
        items = self.api.list(request=request)
        return [item for item in items if item.name.startswith(name_prefix)]

    def update(self, resource: R) -> None:
        if self.update_method is None:
            raise ImmutableResourceError(f"a {self.kind} cannot be updated in place: {resource.name}")  # type: ignore[attr-defined]
        method = getattr(self.api, self.update_method)
        name = resource.name  # type: ignore[attr-defined]
        arguments = {self.resource_argument: resource}
        if self.update_takes_name:
            arguments[self.name_argument] = name
        self._wait(method(**self._location(), **arguments))

    def restore(self, previous: R) -> None:
        """Put back `previous` (undoing an update), with the resource's current fingerprint."""
        latest = self.get(previous.name)  # type: ignore[attr-defined]
        if latest is None:
            return
        restored = copy.deepcopy(previous)
        fingerprint = getattr(latest, "fingerprint", None)
        if fingerprint:
            restored.fingerprint = fingerprint  # type: ignore[attr-defined]
        self.update(restored)

    def delete(self, name: str) -> bool:
        """Delete `name`; False when it did not exist."""
        try:
            operation = self.api.delete(**self._location(), **{self.name_argument: name})
        except google_exceptions.NotFound:
            return False
        self._wait(operation)
        return True

    # -- helpers shared by the specifications ---------------------------------------------------

    def global_url(self, collection: str, name: str) -> str:
        return f"projects/{self.project}/global/{collection}/{name}"

    def zonal_url(self, collection: str, name: str) -> str:
        return f"projects/{self.project}/zones/{self.zone}/{collection}/{name}"


def _disks(machine: Machine, *, zonal_disk_type: str | None) -> list[compute_v1.AttachedDisk]:
    # Instance templates name the disk type bare; instances need the zonal URL.
    disk_type = zonal_disk_type or machine.disk.type.value
    return [
        compute_v1.AttachedDisk(
            boot=True,
            auto_delete=True,
            type_="PERSISTENT",
            initialize_params=compute_v1.AttachedDiskInitializeParams(
                source_image=machine.disk.image.value,
                disk_size_gb=machine.disk.size_gb,
                disk_type=disk_type,
            ),
        )
    ]


def _network_interfaces(target: DeploymentTarget) -> list[compute_v1.NetworkInterface]:
    interface = compute_v1.NetworkInterface(network=target.network)
    if target.subnetwork:
        interface.subnetwork = target.subnetwork
    if target.external_ip:
        interface.access_configs = [compute_v1.AccessConfig(name="External NAT", type_="ONE_TO_ONE_NAT")]
    return [interface]


def _accelerators(machine: Machine, accelerator_url: str) -> list[compute_v1.AcceleratorConfig]:
    gpu = machine.attached_gpu
    if gpu is None:
        return []
    return [compute_v1.AcceleratorConfig(accelerator_type=accelerator_url, accelerator_count=gpu.count)]


def _scheduling(machine: Machine) -> compute_v1.Scheduling:
    # VMs with GPUs cannot live-migrate: Compute Engine requires TERMINATE on host maintenance.
    has_gpu = machine.accelerator is not None
    return compute_v1.Scheduling(
        on_host_maintenance="TERMINATE" if has_gpu else "MIGRATE",
        automatic_restart=True,
    )


def _labels(target: DeploymentTarget, **extra: str) -> dict[str, str]:
    return {"psml-service": target.service, **extra}


class HealthCheckClient(ComputeClient[compute_v1.HealthCheck, ServingDeployment]):
    """Global HTTP health check on the app's readiness route, used by autohealing."""

    kind = "health check"
    zonal = False
    resource_argument = "health_check_resource"
    name_argument = "health_check"
    update_method = "update"

    @staticmethod
    def api_factory() -> Any:
        return compute_v1.HealthChecksClient()

    def create_specification(self, deployment: ServingDeployment) -> compute_v1.HealthCheck:
        return compute_v1.HealthCheck(
            name=deployment.names.health_check,
            description=f"psml {deployment.target.service} {deployment.version}: readiness (artifacts loaded)",
            type_="HTTP",
            http_health_check=compute_v1.HTTPHealthCheck(port=deployment.serving.port, request_path=READINESS_PATH),
            check_interval_sec=10,
            timeout_sec=5,
            healthy_threshold=2,
            unhealthy_threshold=3,
        )


class InstanceTemplateClient(ComputeClient[compute_v1.InstanceTemplate, ServingDeployment]):
    """Global instance template: the serving VM, its disk, network and the container it starts."""

    kind = "instance template"
    zonal = False
    resource_argument = "instance_template_resource"
    name_argument = "instance_template"

    @staticmethod
    def api_factory() -> Any:
        return compute_v1.InstanceTemplatesClient()

    def create_specification(self, deployment: ServingDeployment) -> compute_v1.InstanceTemplate:
        serving, target = deployment.serving, deployment.target
        env = {
            "PSML_STORAGE_ROOT": target.storage_root,
            "PSML_VERSION": deployment.version,
            **app_environment(serving),
        }
        user_data = cloud_config(
            unit="psml-serve",
            description=f"psml {target.service} {deployment.version} serving container",
            image=target.image,
            env=env,
            machine=serving,
        )
        gpu = serving.attached_gpu
        properties = compute_v1.InstanceProperties(
            machine_type=serving.machine_type,
            disks=_disks(serving, zonal_disk_type=None),
            network_interfaces=_network_interfaces(target),
            guest_accelerators=_accelerators(serving, gpu.type.value) if gpu else [],
            scheduling=_scheduling(serving),
            metadata=compute_v1.Metadata(items=[compute_v1.Items(key=USER_DATA_KEY, value=user_data)]),
            service_accounts=[compute_v1.ServiceAccount(email=target.service_account, scopes=[CLOUD_PLATFORM_SCOPE])],
            labels=_labels(target, **{"psml-version": deployment.version.replace(".", "-")}),
            tags=compute_v1.Tags(items=["psml-serving"]),
        )
        return compute_v1.InstanceTemplate(
            name=deployment.names.instance_template,
            description=f"psml {target.service} {deployment.version} serving VM ({target.image})",
            properties=properties,
        )


class InstanceGroupManagerClient(ComputeClient[compute_v1.InstanceGroupManager, ServingDeployment]):
    """Zonal managed instance group running the template, autohealed by the health check."""

    kind = "instance group manager"
    zonal = True
    resource_argument = "instance_group_manager_resource"
    name_argument = "instance_group_manager"
    update_method = "patch"

    @staticmethod
    def api_factory() -> Any:
        return compute_v1.InstanceGroupManagersClient()

    def create_specification(self, deployment: ServingDeployment) -> compute_v1.InstanceGroupManager:
        names, serving = deployment.names, deployment.serving
        return compute_v1.InstanceGroupManager(
            name=names.instance_group_manager,
            description=f"psml {deployment.target.service} {deployment.version} serving group",
            base_instance_name=names.base_instance_name,
            instance_template=self.global_url("instanceTemplates", names.instance_template),
            target_size=serving.autoscaling.min_instances,
            named_ports=[compute_v1.NamedPort(name=HTTP_PORT_NAME, port=serving.port)],
            auto_healing_policies=[
                compute_v1.InstanceGroupManagerAutoHealingPolicy(
                    health_check=self.global_url("healthChecks", names.health_check),
                    initial_delay_sec=serving.startup_seconds,
                )
            ],
            update_policy=compute_v1.InstanceGroupManagerUpdatePolicy(
                type_="PROACTIVE",
                minimal_action="REPLACE",
                max_surge=compute_v1.FixedOrPercent(fixed=1),
                max_unavailable=compute_v1.FixedOrPercent(fixed=0),
            ),
        )

    def update_specification(
        self, current: compute_v1.InstanceGroupManager, deployment: ServingDeployment
    ) -> compute_v1.InstanceGroupManager:
        # A patch rolls instances onto the new template; the autoscaler owns the size.
        desired = super().update_specification(current, deployment)
        desired.target_size = current.target_size or desired.target_size
        return desired


class AutoscalerClient(ComputeClient[compute_v1.Autoscaler, ServingDeployment]):
    """Zonal autoscaler sizing the group on CPU utilisation between min and max instances."""

    kind = "autoscaler"
    zonal = True
    resource_argument = "autoscaler_resource"
    name_argument = "autoscaler"
    update_method = "patch"
    update_takes_name = False  # PATCH autoscalers names the resource inside the message

    @staticmethod
    def api_factory() -> Any:
        return compute_v1.AutoscalersClient()

    def create_specification(self, deployment: ServingDeployment) -> compute_v1.Autoscaler:
        scaling = deployment.serving.autoscaling
        return compute_v1.Autoscaler(
            name=deployment.names.autoscaler,
            description=f"psml {deployment.target.service} {deployment.version} autoscaler",
            target=self.zonal_url("instanceGroupManagers", deployment.names.instance_group_manager),
            autoscaling_policy=compute_v1.AutoscalingPolicy(
                min_num_replicas=scaling.min_instances,
                max_num_replicas=scaling.max_instances,
                cool_down_period_sec=scaling.cool_down_seconds,
                cpu_utilization=compute_v1.AutoscalingPolicyCpuUtilization(
                    utilization_target=scaling.target_cpu_utilization
                ),
                mode="ON",
            ),
        )


class InstanceClient(ComputeClient[compute_v1.Instance, TrainingDeployment]):
    """A single zonal VM running one training run, then powering off."""

    kind = "instance"
    zonal = True
    resource_argument = "instance_resource"
    name_argument = "instance"
    update_method = "update"

    @staticmethod
    def api_factory() -> Any:
        return compute_v1.InstancesClient()

    def create_specification(self, deployment: TrainingDeployment) -> compute_v1.Instance:
        training, target = deployment.training, deployment.target
        module = f"experiments.{target.service}.train.main"
        user_data = cloud_config(
            unit="psml-train",
            description=f"psml {target.service} training run {deployment.run_label}",
            image=target.image,
            env={"PSML_STORAGE_ROOT": target.storage_root},
            machine=training,
            command=["python3.11", "-m", module, f"--root={target.storage_root}"],
            run_once=True,
        )
        gpu = training.attached_gpu
        zone_prefix = f"projects/{self.project}/zones/{self.zone}"
        return compute_v1.Instance(
            name=deployment.instance_name,
            description=f"psml {target.service} training run {deployment.run_label} ({target.image})",
            machine_type=f"{zone_prefix}/machineTypes/{training.machine_type}",
            disks=_disks(training, zonal_disk_type=f"{zone_prefix}/diskTypes/{training.disk.type.value}"),
            network_interfaces=_network_interfaces(target),
            guest_accelerators=(
                _accelerators(training, f"{zone_prefix}/acceleratorTypes/{gpu.type.value}") if gpu else []
            ),
            scheduling=_scheduling(training),
            metadata=compute_v1.Metadata(items=[compute_v1.Items(key=USER_DATA_KEY, value=user_data)]),
            service_accounts=[compute_v1.ServiceAccount(email=target.service_account, scopes=[CLOUD_PLATFORM_SCOPE])],
            labels=_labels(target, **{"psml-run": deployment.run_label.lower()}),
        )
