from __future__ import annotations

import yaml

from paystone.compute.startup import cloud_config
from paystone.compute.types.infrastructure import Machine


def test_serving_user_data_is_cloud_config_running_a_restarting_unit() -> None:
    text = cloud_config(
        unit="psml-serve",
        description="demo",
        image="registry.internal:5000/psml/housing:v1.m0",
        env={"PSML_STORAGE_ROOT": "gs://bucket/psml", "PSML_VERSION": "v1.m0"},
        machine=Machine(family="e2", vcpus=2, memory_gb=4),
    )
    assert text.startswith("#cloud-config\n")
    data = yaml.safe_load(text)
    (unit,) = data["write_files"]
    assert unit["path"] == "/etc/systemd/system/psml-serve.service"
    content = unit["content"]
    assert "--registries=registry.internal:5000" in content  # registry host taken from the image
    assert "Restart=always" in content and "shutdown" not in content
    assert "--env=PSML_VERSION=v1.m0" in content
    assert content.rstrip().splitlines()[0] == "[Unit]"
    assert data["runcmd"] == ["systemctl daemon-reload", "systemctl start psml-serve.service"]


def test_training_user_data_runs_once_then_powers_off_and_sets_up_gpus() -> None:
    text = cloud_config(
        unit="psml-train",
        description="demo",
        image="r/psml/housing:v1.m0",
        env={},
        machine=Machine(family="n1", vcpus=4, memory_gb=15, gpu={"type": "nvidia-tesla-t4", "count": 1}),
        command=["python3.11", "-m", "experiments.housing.train.main"],
        run_once=True,
    )
    data = yaml.safe_load(text)
    content = data["write_files"][0]["content"]
    assert "Type=oneshot" in content and "ExecStopPost=/sbin/shutdown -h now" in content
    assert data["runcmd"][0] == "cos-extensions install gpu"
    assert "r/psml/housing:v1.m0 python3.11 -m experiments.housing.train.main" in content
