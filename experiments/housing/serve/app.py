"""The housing service: prices every instance of a request with one call to the trained model."""

from typing import Any

import numpy as np
import pandas as pd
from fastapi import Depends, HTTPException

from experiments.housing.schema.request import FEATURES, Instance, Parameters
from experiments.housing.schema.response import Prediction
from paystone.serving.app import create_serving_app
from paystone.serving.dependencies import Artifact
from paystone.serving.types.request import Request


def predict(
    request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))
) -> list[Prediction]:
    """Estimated sale prices, one per instance, in request order.

    A model that answers zero or a negative price for a house is broken, not cheap: that gets a
    500 naming the instance instead of a price nobody should act on. NaN and infinity are passed
    through for the platform to refuse the same way; so is a wrong number of predictions.
    """
    houses = pd.DataFrame([instance.model_dump() for instance in request.instances], columns=list(FEATURES))
    prices = np.asarray(model.predict(houses), dtype=float).reshape(-1)
    non_positive = np.flatnonzero(prices <= 0)
    if non_positive.size:
        index = int(non_positive[0])
        raise HTTPException(
            status_code=500,
            detail=f"the model predicted a non-positive price ({prices[index]}) for instance {index}",
        )
    step = request.parameters.round_to
    rounded = np.round(prices / step) * step
    return [Prediction(price=float(price)) for price in rounded]


app = create_serving_app(housing=predict)
