"""Compliance rules: rule files (``packs/*.yaml``), their loader and compiler, the report.

Stages, each a module: :mod:`rules.loader` (YAML → :mod:`rules.model`, checked against the
ontology; ``rolegraph rules lint``), :mod:`rules.params` (parameter values: defaults, settings
file, overrides), :mod:`rules.compiler` (one Cypher query per rule), :mod:`rules.messages`
(which placeholders a message may use; :mod:`rules.templates` renders them),
:mod:`rules.report` (the report and its renderings). Running the queries is
:mod:`rules.runner`'s job.

What a rule checks is its kind: one module each in :mod:`rules.kinds` (its constraint, parsing,
compilation, message fields and any step after the query), listed in one registry there. The
kinds share :mod:`rules.reader` (reading rule files, with file and line in every error) and
:mod:`rules.querybuilder` (writing Cypher). Imports run one way: the model; templates and
the reader; the query builder; the kinds and their registry; then the loader, compiler,
messages and runner.

A GraphQL resolver needs::

    ruleset = load_rules()                                   # once, at start-up
    params = resolve_parameters(ruleset, settings.rules_settings)
    report = await check(graph, ruleset, params, packs=..., rule_ids=..., severities=...,
                         department=...)                     # rules.runner.check
    rule_rows(ruleset.rules)                                 # the rule list
"""
