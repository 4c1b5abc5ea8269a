"""GraphQL types over the ontology's classes (strawberry). They wrap records; they do not fetch
by themselves: relationship fields ask the request's DataLoaders."""
