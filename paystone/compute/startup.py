"""How a VM starts the experiment's container: cloud-init `user-data` on Container-Optimized OS.

Choice: Container-Optimized OS boots, its cloud-init writes a systemd unit that authenticates
Docker to the image's registry (`docker-credential-gcr`, using the VM's service account) and
runs the container with host networking, `PSML_STORAGE_ROOT` and `PSML_VERSION` in its
environment. This is Google's documented replacement for the container startup agent
(`gce-container-declaration` metadata, konlet), which is deprecated and stops working on
31 July 2026. systemd restarts the container if it exits; a startup script would not.
For GPUs, `cos-extensions install gpu` installs the driver first and the container gets the
devices and driver libraries. Training runs the container once, then powers the VM off.
The registry host is taken from the image reference at run time, never written here.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence

from paystone.compute.types.infrastructure import Machine

USER_DATA_KEY = "user-data"
_GPU_SETUP = [
    "cos-extensions install gpu",
    "mount --bind /var/lib/nvidia /var/lib/nvidia",
    "mount -o remount,exec /var/lib/nvidia",
]
_GPU_DOCKER_FLAGS = [
    "--volume=/var/lib/nvidia/lib64:/usr/local/nvidia/lib64",
    "--volume=/var/lib/nvidia/bin:/usr/local/nvidia/bin",
    "--device=/dev/nvidia0",
    "--device=/dev/nvidia-uvm",
    "--device=/dev/nvidiactl",
]


def _docker_run(image: str, env: Mapping[str, str], command: Sequence[str], machine: Machine, name: str) -> str:
    parts = ["/usr/bin/docker", "run", "--rm", f"--name={name}", "--network=host"]
    parts += [f"--env={key}={value}" for key, value in env.items()]
    if machine.accelerator is not None:
        parts += _GPU_DOCKER_FLAGS
    parts += [image, *command]
    return " ".join(shlex.quote(part) for part in parts)


def _registry_login(image: str) -> str:
    # Everything before the first "/" of the reference is the registry host.
    return f"/usr/bin/docker-credential-gcr configure-docker --registries={shlex.quote(image.split('/', 1)[0])}"


def cloud_config(
    *,
    unit: str,
    description: str,
    image: str,
    env: Mapping[str, str],
    machine: Machine,
    command: Sequence[str] = (),
    run_once: bool = False,
) -> str:
    """The `#cloud-config` user-data starting `image` as systemd unit `unit`."""
    service_lines = [
        "[Unit]",
        f"Description={description}",
        "Wants=network-online.target gcr-online.target",
        "After=network-online.target gcr-online.target",
        "",
        "[Service]",
        "Environment=HOME=/home/psml",
        f"ExecStartPre={_registry_login(image)}",
        f"ExecStart={_docker_run(image, env, command, machine, unit)}",
    ]
    if run_once:
        service_lines += ["Type=oneshot", "ExecStopPost=/sbin/shutdown -h now"]
    else:
        service_lines += [f"ExecStop=/usr/bin/docker stop {unit}", "Restart=always", "RestartSec=5"]
    body = "\n".join("      " + line if line else "" for line in service_lines)
    runcmd = ([*_GPU_SETUP] if machine.accelerator is not None else []) + [
        "systemctl daemon-reload",
        f"systemctl start {unit}.service",
    ]
    return (
        "#cloud-config\n"
        "users:\n"
        "  - name: psml\n"
        "    uid: 2000\n"
        "write_files:\n"
        f"  - path: /etc/systemd/system/{unit}.service\n"
        "    permissions: '0644'\n"
        "    owner: root\n"
        "    content: |\n"
        f"{body}\n"
        "runcmd:\n" + "".join(f"  - {cmd}\n" for cmd in runcmd)
    )
