"""Tests of paystone.training.hyperparameters."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from paystone.training.errors import ExperimentDefinitionError, HyperparameterError
from paystone.training.hyperparameters import check_model, validate_hyperparameters


class Params(BaseModel):
    alpha: float = Field(default=1.0, gt=0, description="Regularisation strength.")
    folds: int = Field(default=5, description="Cross-validation folds.")


def test_model_must_be_a_class() -> None:
    with pytest.raises(ExperimentDefinitionError, match="expects a Pydantic model class"):
        check_model(Params())


def test_field_without_default_is_named() -> None:
    class NoDefault(BaseModel):
        alpha: float = Field(description="a")

    with pytest.raises(ExperimentDefinitionError, match="hyperparameter 'alpha' of NoDefault has no default"):
        check_model(NoDefault)


def test_field_without_description_is_named() -> None:
    class NoDescription(BaseModel):
        alpha: float = 1.0

    with pytest.raises(ExperimentDefinitionError, match="hyperparameter 'alpha' of NoDescription has no description"):
        check_model(NoDescription)


def test_values_none_mapping_and_instance() -> None:
    assert validate_hyperparameters(Params, None) == Params()
    assert validate_hyperparameters(Params, {"folds": "3"}).folds == 3
    instance = Params(alpha=2.0)
    assert validate_hyperparameters(Params, instance) is instance


def test_bad_value_names_the_field() -> None:
    with pytest.raises(HyperparameterError, match=r"'alpha': Input should be greater than 0 \(got -1\)"):
        validate_hyperparameters(Params, {"alpha": -1})


def test_unknown_field_is_refused() -> None:
    with pytest.raises(HyperparameterError, match=r"unknown hyperparameter\(s\) 'alfa' for Params"):
        validate_hyperparameters(Params, {"alfa": 1})


def test_instance_of_another_model_is_refused() -> None:
    class Other(BaseModel):
        pass

    with pytest.raises(HyperparameterError, match="expected an instance of Params"):
        validate_hyperparameters(Params, Other())
