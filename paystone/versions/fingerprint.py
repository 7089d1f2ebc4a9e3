"""The schema fingerprint of an experiment: what decides between a new minor and a new major.

A caller depends on four things: the `Instance` and `Parameters` it sends, the `Prediction` it gets
back, and the routes it calls. The fingerprint is the sha256 of the canonical JSON (sorted keys, no
whitespace) of their JSON Schemas and the `Route` values, so two candidates share a major version
exactly when a client written for one works unchanged against the other.

Documentation keywords (`title`, `description`, `examples`) are left out: rewording a field's help
does not break any caller, and starting a new major version for it would split traffic and
history for nothing. Everything that changes what is accepted or returned (types, bounds,
defaults, required fields, enum values) is kept.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

#: Keywords that document a schema without constraining it.
DOCUMENTATION_KEYWORDS = frozenset({"title", "description", "examples"})
#: Keywords whose value maps names (fields, definitions) to schemas: their keys are data, not keywords.
_NAMED_SCHEMAS = frozenset({"properties", "$defs", "definitions", "patternProperties", "dependentSchemas"})


class SchemaFingerprintError(LookupError):
    """An experiment's schema modules lack what the fingerprint needs."""


def _without_documentation(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_without_documentation(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    cleaned: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in DOCUMENTATION_KEYWORDS:
            continue
        if keyword in _NAMED_SCHEMAS and isinstance(value, dict):
            cleaned[keyword] = {name: _without_documentation(sub) for name, sub in value.items()}
        else:
            cleaned[keyword] = _without_documentation(value)
    return cleaned


def canonical_json(value: Any) -> str:
    """The one JSON text of `value`: sorted keys, no whitespace, so equal schemas hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def schema_document(
    instance: type[BaseModel],
    parameters: type[BaseModel],
    prediction: type[BaseModel],
    routes: Iterable[str | Enum],
) -> dict[str, Any]:
    """What the fingerprint hashes: inputs in validation mode, the output in serialization mode."""
    route_values = sorted(str(route.value) if isinstance(route, Enum) else str(route) for route in routes)
    if not route_values:
        raise SchemaFingerprintError("a service needs at least one route to fingerprint, got none")
    return {
        "instance": _without_documentation(instance.model_json_schema(mode="validation")),
        "parameters": _without_documentation(parameters.model_json_schema(mode="validation")),
        "prediction": _without_documentation(prediction.model_json_schema(mode="serialization")),
        "routes": route_values,
    }


def fingerprint_schema(
    instance: type[BaseModel],
    parameters: type[BaseModel],
    prediction: type[BaseModel],
    routes: Iterable[str | Enum],
) -> str:
    """sha256 (hex) of the canonical schema document of these models and routes."""
    document = schema_document(instance, parameters, prediction, routes)
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def _attribute(module_name: str, name: str) -> Any:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise SchemaFingerprintError(f"cannot import {module_name} to fingerprint the schema: {error}") from error
    value = getattr(module, name, None)
    if value is None:
        raise SchemaFingerprintError(f"{module_name} defines no {name!r}, which the schema fingerprint needs")
    return value


def _model(module_name: str, name: str) -> type[BaseModel]:
    value = _attribute(module_name, name)
    if not (isinstance(value, type) and issubclass(value, BaseModel)):
        raise SchemaFingerprintError(f"{module_name}.{name} is {value!r}, expected a Pydantic model class")
    return value


def service_schema_models(service: str, package: str = "experiments") -> Mapping[str, Any]:
    """`Instance`, `Parameters`, `Prediction` and `Route` of `<package>.<service>.schema`."""
    base = f"{package}.{service}.schema"
    routes = _attribute(f"{base}.service", "Route")
    if not (isinstance(routes, type) and issubclass(routes, Enum)):
        raise SchemaFingerprintError(f"{base}.service.Route is {routes!r}, expected an Enum of route names")
    return {
        "instance": _model(f"{base}.request", "Instance"),
        "parameters": _model(f"{base}.request", "Parameters"),
        "prediction": _model(f"{base}.response", "Prediction"),
        "routes": list(routes),
    }


def service_schema_fingerprint(service: str, package: str = "experiments") -> str:
    """The fingerprint of the experiment's schema as the code importable now defines it."""
    return fingerprint_schema(**service_schema_models(service, package))
