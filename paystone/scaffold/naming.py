"""The spellings of an experiment name and how to replace one name by another in text.

An experiment name is a snake_case identifier (``customer_churn``). In code it also appears as
PascalCase (``CustomerChurn``, class names) and UPPER_CASE (``CUSTOMER_CHURN``, constants), and
in prose capitalised at a sentence start (``Customer_churn`` is what naive capitalisation
gives; ``Housing`` is the same as PascalCase for one-word names). Every spelling is replaced by
the same spelling of the new name.

A match must stand on its own as a word or as an identifier part: not preceded by a letter or
digit, and not followed by a lowercase letter or digit. So ``housing_data``, ``HousingModel``,
``/housing/`` and ``pip_housing`` are renamed, while a longer word that merely contains the
name (``vaderSentiment``, ``sentimental``) is left alone.
"""

from __future__ import annotations

import keyword
import re

#: What `psml experiments list` (paystone.discovery) accepts as an experiment folder name.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class InvalidNameError(ValueError):
    """A name that cannot be an experiment package name."""


def check_name(name: str) -> None:
    """Refuse a name that is not a lowercase Python identifier usable as a package and a route."""
    if not NAME_PATTERN.fullmatch(name) or not name.isidentifier():
        raise InvalidNameError(
            f"experiment name {name!r} is not a lowercase Python identifier "
            "(letters, digits and underscores, starting with a letter, e.g. 'customer_churn')"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise InvalidNameError(f"experiment name {name!r} is a Python keyword")
    if name.endswith("_") or "__" in name:
        raise InvalidNameError(f"experiment name {name!r} has a trailing or doubled underscore")


def spellings(name: str) -> dict[str, str]:
    """Style -> spelling of ``name``: ``snake``, ``pascal``, ``upper``, ``capitalized``."""
    parts = name.split("_")
    return {
        "snake": name,
        "pascal": "".join(part.capitalize() for part in parts),
        "upper": name.upper(),
        "capitalized": name[:1].upper() + name[1:],
    }


def _pattern(spelling: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(spelling)}(?![a-z0-9])")


def rename(text: str, old: str, new: str) -> str:
    """``text`` with every standalone spelling of ``old`` replaced by the same spelling of ``new``."""
    old_spellings, new_spellings = spellings(old), spellings(new)
    # Longest spelling first: for a multi-word name, PascalCase must not be split by a shorter match.
    for style in sorted(old_spellings, key=lambda s: -len(old_spellings[s])):
        text = _pattern(old_spellings[style]).sub(new_spellings[style], text)
    return text


def occurrences(text: str, name: str) -> list[str]:
    """Every standalone spelling of ``name`` still in ``text`` (what `rename` would have replaced)."""
    found: list[str] = []
    for spelling in dict.fromkeys(spellings(name).values()):
        found.extend(match.group(0) for match in _pattern(spelling).finditer(text))
    return found
