"""What a caller sends to the sentiment service: one `Instance` per text, plus request `Parameters`.

Free text is the one input whose size the caller controls completely, so it is bounded twice:
`MAX_INSTANCES` texts per request (`max_instances`) and `MAX_TEXT_CHARACTERS` characters per text
(`max_length`). Both are checked while the body is validated, before the model sees anything,
so a 1 MB text gets a 422 naming `instances.<i>.text` in milliseconds instead of tying up a
worker while a vectorizer chews through it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from paystone.serving.schema import max_instances

#: Texts accepted in one request; data tests send the hold-out set in chunks of this size.
MAX_INSTANCES = 500

#: Characters accepted in one text: a long review paragraph fits; a pasted book does not. The
#: model was trained on single sentences, so beyond this its answer would mean little anyway.
MAX_TEXT_CHARACTERS = 5_000


@max_instances(MAX_INSTANCES)
class Instance(BaseModel):
    """One piece of English text to classify, typically a sentence or a short review."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT_CHARACTERS,
        description=(
            f"The text to classify, 1 to {MAX_TEXT_CHARACTERS} characters, with at least one that is not "
            "whitespace. The model was trained on English movie-review sentences; other languages are "
            "accepted but answered with little confidence."
        ),
    )

    @field_validator("text")
    @classmethod
    def _has_content(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank: it needs at least one character that is not whitespace")
        return value


class Parameters(BaseModel):
    """Options applying to every instance of a request."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description=(
            "Decision threshold on the probability that a text is positive: the label is 'positive' when "
            "that probability is at least this value. Raise it when a false 'positive' costs more than a "
            "missed one."
        ),
    )
