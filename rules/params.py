"""Rule parameter values: the packs' defaults, a deployment's settings file, command-line
overrides, in that order (later wins).

The settings file (``ROLEGRAPH_RULES_SETTINGS``) is YAML::

    parameters:
      minimum_wage: 2690        # 上海 2023
      max_span_of_control: 12

An unknown parameter or a value of the wrong type is an error naming the file and line.
A date parameter whose value is ``today`` takes the date of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from rules.loader import RuleLoadError
from rules.model import Parameter, RuleSet, Scalar
from rules.reader import param_value
from schema.yamlload import LineMap, SourceError, load_yaml


def load_settings(path: Path, ruleset: RuleSet) -> dict[str, Scalar]:
    """The parameter values of a settings file; raises :class:`RuleLoadError` with every
    problem (file, line, reason)."""
    try:
        raw = load_yaml(path)
    except SourceError as exc:
        raise RuleLoadError([exc]) from exc
    except OSError as exc:
        raise RuleLoadError([SourceError(str(path), 0, f"cannot read: {exc.strerror}")]) from exc
    file = str(path)
    if raw is None:
        return {}
    if not isinstance(raw, LineMap) or set(raw) - {"parameters"}:
        line = raw.line if isinstance(raw, LineMap) else 1
        raise RuleLoadError([SourceError(file, line, "a settings file holds one mapping, "
                                                     "'parameters: {name: value, ...}'")])
    params = raw.get("parameters") or LineMap()
    if not isinstance(params, LineMap):
        raise RuleLoadError([SourceError(file, raw.line_of("parameters"),
                                         "'parameters' must be a mapping of name: value")])
    values: dict[str, Scalar] = {}
    errors: list[SourceError] = []
    for name, raw_value in params.items():
        line = params.line_of(name)
        param = ruleset.parameters.get(name)
        if param is None:
            errors.append(SourceError(file, line, f"unknown parameter {name!r} (known: "
                                                  f"{', '.join(sorted(ruleset.parameters))})"))
            continue
        try:
            values[name] = param_value(param.type, raw_value)
        except ValueError as exc:
            errors.append(SourceError(file, line, f"parameter {name}: {exc}"))
    if errors:
        raise RuleLoadError(errors)
    return values


def parse_override(ruleset: RuleSet, text: str) -> tuple[str, Scalar]:
    """``name=value`` from the command line; ValueError saying what is wrong."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"--param {text!r}: write name=value")
    param = ruleset.parameters.get(name)
    if param is None:
        raise ValueError(f"--param {text!r}: unknown parameter {name!r} (known: "
                         f"{', '.join(sorted(ruleset.parameters))})")
    try:
        value: Any = yaml.safe_load(raw) if param.type != "string" else raw
        return name, param_value(param.type, value)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"--param {text!r}: {exc}") from None


def resolve_parameters(ruleset: RuleSet, settings_file: Path | None = None,
                       overrides: Mapping[str, Scalar] | None = None,
                       today: date | None = None) -> dict[str, Scalar]:
    """Every parameter's value: default, then the settings file, then ``overrides``
    (already typed, e.g. from :func:`parse_override`); ``today`` replaces ``"today"``."""
    values: dict[str, Scalar] = {name: p.default for name, p in ruleset.parameters.items()}
    if settings_file is not None:
        values.update(load_settings(settings_file, ruleset))
    for name, value in (overrides or {}).items():
        if name not in ruleset.parameters:
            raise KeyError(f"unknown parameter {name!r}")
        values[name] = value
    day = today or date.today()
    return {name: day if _is_today(ruleset.parameters[name], v) else v
            for name, v in values.items()}


def _is_today(param: Parameter, value: Scalar) -> bool:
    return param.type == "date" and value == "today"
