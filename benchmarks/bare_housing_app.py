"""The baseline of benchmarks/serving_overhead.py: a bare FastAPI app calling the same model.

No platform code: the request is validated with the same `Instance` schema, the model is loaded
once at import from `BARE_MODEL_PICKLE`, and the route makes the same single vectorized call.
"""

from __future__ import annotations

import os
import pickle

import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

from experiments.housing.schema.request import FEATURES, Instance

with open(os.environ["BARE_MODEL_PICKLE"], "rb") as file:
    MODEL = pickle.load(file)


class Body(BaseModel):
    instances: list[Instance]


app = FastAPI()


@app.post("/housing")
def predict(body: Body) -> dict[str, list[dict[str, float]]]:
    houses = pd.DataFrame([instance.model_dump() for instance in body.instances], columns=list(FEATURES))
    prices = MODEL.predict(houses)
    return {"predictions": [{"price": round(float(price))} for price in prices]}
