"""Finding an experiment's infrastructure: `experiments.<name>.infrastructure.hardware:hardware`."""

from __future__ import annotations

import importlib

from paystone.compute.types.infrastructure import Infrastructure


class HardwareNotFoundError(LookupError):
    """The experiment has no usable `infrastructure/hardware.py`."""


def load_infrastructure(service: str) -> Infrastructure:
    """The `hardware` instance of `experiments/<service>/infrastructure/hardware.py`."""
    module_name = f"experiments.{service}.infrastructure.hardware"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise HardwareNotFoundError(f"{module_name} cannot be imported: {error}") from error
    hardware = getattr(module, "hardware", None)
    if not isinstance(hardware, Infrastructure):
        raise HardwareNotFoundError(
            f"{module_name} must define `hardware = Infrastructure(...)`; found {type(hardware).__name__}"
        )
    return hardware
