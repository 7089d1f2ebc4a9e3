"""Rules for an experiment's hyperparameter model and for the values given to a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from paystone.training.errors import ExperimentDefinitionError, HyperparameterError


def check_model(model: object) -> type[BaseModel]:
    """Require a Pydantic model class whose every field has a default and a description.

    Defaults make every run reproducible from the command line alone; descriptions become `--help`.
    """
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ExperimentDefinitionError(
            f"Experiment expects a Pydantic model class of hyperparameters, got {model!r}; "
            "expected e.g. `class Hyperparameters(BaseModel): ...`"
        )
    for name, field in model.model_fields.items():
        if field.is_required():
            raise ExperimentDefinitionError(
                f"hyperparameter '{name}' of {model.__name__} has no default; expected every field to have one, "
                f"e.g. `{name}: ... = Field(default=..., description=...)`"
            )
        if not (field.description and field.description.strip()):
            raise ExperimentDefinitionError(
                f"hyperparameter '{name}' of {model.__name__} has no description; expected "
                f"`Field(..., description=...)` (it is the flag's --help text)"
            )
    return model


def validate_hyperparameters(model: type[BaseModel], values: BaseModel | Mapping[str, Any] | None) -> BaseModel:
    """Turn what the caller gave (`None`, a mapping or an instance) into a validated model instance."""
    if values is None:
        return model()
    if isinstance(values, BaseModel):
        if not isinstance(values, model):
            raise HyperparameterError(
                f"hyperparameters are a {type(values).__name__}; expected an instance of {model.__name__} "
                "or a mapping of its fields"
            )
        return values
    if not isinstance(values, Mapping):
        raise HyperparameterError(
            f"hyperparameters are a {type(values).__name__}; expected an instance of {model.__name__}, "
            "a mapping of its fields, or None"
        )
    unknown = sorted(set(values) - set(model.model_fields))
    if unknown:
        raise HyperparameterError(
            f"unknown hyperparameter(s) {', '.join(map(repr, unknown))} for {model.__name__}; "
            f"expected one of: {', '.join(model.model_fields)}"
        )
    try:
        return model.model_validate(dict(values))
    except ValidationError as error:
        problems = "; ".join(
            f"'{'.'.join(str(part) for part in item['loc'])}': {item['msg']} (got {item.get('input')!r})"
            for item in error.errors()
        )
        raise HyperparameterError(f"invalid hyperparameter(s) for {model.__name__}: {problems}") from None
