"""Rolegraph: an organisation as a graph."""
