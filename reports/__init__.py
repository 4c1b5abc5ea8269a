"""Documents for people who do not write GraphQL: workbooks, pages, job descriptions and
pictures made from what the graph layer reads (README, "Spreadsheets and reports").

A layer beside ``resolvers`` and ``samples``: it reads through ``graph`` (with the caller's
scope, as the GraphQL API does) and renders; the app and the CLI serve what it renders.
"""
