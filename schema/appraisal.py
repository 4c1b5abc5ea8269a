"""The appraisal settings (``schema/appraisal.yaml``): the parameters of the appraisal
formulas, loaded into :class:`domain.performance.AppraisalSettings`.

A file holds one key per parameter (a key left out keeps its default). Unknown keys, wrong
types, negative weights, thresholds out of order and guideline shares not adding up to 1 are
errors naming the file, the line and the key (:class:`schema.yamlload.SourceError`).
"""

from __future__ import annotations

from dataclasses import fields, replace
from functools import cache
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from domain.performance import AppraisalSettings
from schema.yamlload import LineMap, SourceError, load_yaml

APPRAISAL_PATH = Path(__file__).with_name("appraisal.yaml")
_FIELDS = {f.name: f for f in fields(AppraisalSettings)}


def load_appraisal_settings(path: Path = APPRAISAL_PATH) -> AppraisalSettings:
    """Load and check an appraisal settings file; raises :class:`SourceError`."""
    return _build(load_yaml(path), str(path))


@cache
def default_appraisal_settings() -> AppraisalSettings:
    """The shipped settings, loaded once per process."""
    return load_appraisal_settings()


def appraisal_settings(path: Path | None) -> AppraisalSettings:
    """The settings of ``path``, or the shipped ones when None (``ROLEGRAPH_APPRAISAL``)."""
    return default_appraisal_settings() if path is None else load_appraisal_settings(path)


def _build(raw: Any, file: str) -> AppraisalSettings:
    if raw is None:
        raw = LineMap()
        raw.line, raw.key_lines = 1, {}
    if not isinstance(raw, LineMap):
        raise SourceError(file, 1, "an appraisal settings file is a mapping of parameter "
                                   "names to values")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = raw.line_of(key)
        if key not in _FIELDS:
            raise SourceError(file, line, f"unknown key {key!r}; the keys are "
                                          f"{', '.join(_FIELDS)}")
        default = _FIELDS[key].default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise SourceError(file, line, f"{key}: true or false, not {value!r}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise SourceError(file, line, f"{key}: a whole number, not {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise SourceError(file, line, f"{key}: a number, not {value!r}")
        else:
            value = float(value)
        values[key] = value
    settings = replace(AppraisalSettings(), **values)
    try:
        settings.check()
    except InvalidInput as exc:
        key = exc.field or ""
        raise SourceError(file, raw.line_of(key), f"{key}: {exc.message}") from None
    return settings
