"""Compliance rules: rule files (``packs/*.yaml``), their loader and compiler, the report.

Stages, each a module: :mod:`rules.loader` (YAML → :mod:`rules.model`, checked against the
ontology; ``rolegraph rules lint``), :mod:`rules.params` (parameter values: defaults, settings
file, overrides), :mod:`rules.compiler` (one Cypher query per rule), :mod:`rules.messages`
(message templates), :mod:`rules.report` (the report and its renderings). Running the queries
is :mod:`rules.runner`'s job. A GraphQL resolver needs::

    ruleset = load_rules()                                   # once, at start-up
    params = resolve_parameters(ruleset, settings.rules_settings)
    report = await check(graph, ruleset, params, packs=..., rule_ids=..., severities=...,
                         department=...)                     # rules.runner.check
    rule_rows(ruleset.rules)                                 # the rule list
"""
