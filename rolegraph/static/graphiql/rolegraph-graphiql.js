// Rolegraph's GraphiQL page: the IDE posts to the page's own address (/graphql). A file of
// its own, not an inline script, so the Content-Security-Policy can allow scripts from this
// server only ('self').
(function () {
  "use strict";
  var url = window.location.href.split(/[?#]/)[0];
  var example = [
    "# Rolegraph: every request carries a token. Make one with",
    "#   rolegraph token --subject me --role admin",
    "# and put it in Headers below: {\"Authorization\": \"Bearer <token>\"}",
    "{",
    "  positions(first: 5) { totalCount edges { node { id title department { name } } } }",
    "}",
    ""
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: url }),
    defaultQuery: example,
    defaultHeaders: "{\"Authorization\": \"Bearer <token>\"}",
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false
  }));
})();
