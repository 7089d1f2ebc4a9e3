"""The sentiment service: labels every text of a request with one call to the trained pipeline."""

from typing import Any

import numpy as np
from fastapi import Depends, HTTPException

from experiments.sentiment.schema.request import Instance, Parameters
from experiments.sentiment.schema.response import Label, Prediction
from paystone.serving.app import create_serving_app
from paystone.serving.dependencies import Artifact
from paystone.serving.types.request import Request


def positive_probabilities(model: Any, texts: list[str]) -> np.ndarray:
    """P(positive) per text, from a classifier whose ``predict_proba`` columns follow ``classes_`` = [0, 1].

    A model answering another shape is broken, not uncertain: that is a 500 saying what came back.
    """
    probabilities = np.asarray(model.predict_proba(texts), dtype=float)
    if probabilities.ndim != 2 or probabilities.shape[1] != 2:
        raise HTTPException(
            status_code=500,
            detail=f"the model returned probabilities of shape {probabilities.shape}; expected ({len(texts)}, 2)",
        )
    return probabilities[:, 1]


def predict(
    request: Request[Instance, Parameters], model: Any = Depends(Artifact("build_model"))
) -> list[Prediction]:
    """Sentiment labels with their probabilities, one per text, in request order.

    A probability outside [0, 1] gets a 500 naming the instance rather than a label nobody should
    act on. NaN is passed through for the platform to refuse the same way; so is a wrong number
    of predictions.
    """
    positive = positive_probabilities(model, [instance.text for instance in request.instances])
    out_of_range = np.flatnonzero((positive < 0) | (positive > 1))
    if out_of_range.size:
        index = int(out_of_range[0])
        raise HTTPException(
            status_code=500,
            detail=f"the model returned a probability outside [0, 1] ({positive[index]}) for instance {index}",
        )
    threshold = request.parameters.threshold
    predictions = []
    for p in positive.tolist():
        label = Label.positive if p >= threshold else Label.negative
        predictions.append(
            Prediction(label=label, probability=p if label is Label.positive else 1.0 - p, positive_probability=p)
        )
    return predictions


app = create_serving_app(sentiment=predict)
