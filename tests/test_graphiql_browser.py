"""GraphiQL in a real browser: headless Chromium (Debian's ``chromium``) opens the page the
development server serves and GraphiQL renders, with its editors and the example query, from
Rolegraph's own files (this machine has no internet, and the page's Content-Security-Policy
allows scripts from the app only).

Without Chromium the test is skipped with a message, except in CI (``CI`` set), where
``.ci/run`` installs it and a missing browser is a failure."""

from __future__ import annotations

from browser import rendered
from conftest import LiveServer


def test_graphiql_renders_from_the_apps_own_files(demo_server: LiveServer) -> None:
    dom = rendered(f"{demo_server.url}/graphql")
    assert 'class="graphiql-container"' in dom, dom[:2000]
    assert "graphiql-query-editor" in dom
    # the example query, rendered by the editor line by line (CodeMirror)
    assert "rolegraph token --subject me --role admin" in dom
    assert "cm-punctuation" in dom  # highlighted: GraphiQL's GraphQL mode is running
