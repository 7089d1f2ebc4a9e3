from __future__ import annotations

import pytest

from paystone.storage.errors import InvalidKeyError
from paystone.storage.store import validate_key


@pytest.mark.parametrize("key", ["a", "svc/runs/1/model.artifact", "a.b/c-d_e"])
def test_clean_keys_are_accepted(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize("key", ["", "/abs", "a//b", "a/../b", "./a", "a/", "a\\b", ".."])
def test_unclean_keys_are_refused_naming_the_key(key: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        validate_key(key)
    assert repr(key) in str(info.value)
