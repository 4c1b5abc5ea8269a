"""Rolegraph's settings, read from the environment (prefix ``ROLEGRAPH_``) or a ``.env`` file.

Settings are built by the caller and passed in; nothing reads them at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rolegraph"


class Settings(BaseSettings):
    """Where the graph is and how Rolegraph serves it."""

    model_config = SettingsConfigDict(env_prefix="ROLEGRAPH_", env_file=".env", extra="ignore")

    neo4j_uri: str | None = Field(
        default=None,
        description="bolt:// or neo4j:// URI of a Neo4j 5 server; unset = embedded engine",
    )
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str | None = Field(
        default=None,
        description="database name; unset = 'rolegraph' on the embedded engine, the server's "
                    "default database with a URI")
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="where the embedded engine keeps its data (kept across restarts)",
    )
    engine_heap: str = Field(default="2g", description="Java heap of the embedded engine")
    engine_start_timeout: float = Field(default=120.0, description="seconds to wait for the engine")
    host: str = "127.0.0.1"
    port: int = 8000
    mode: Literal["development", "production"] = "development"
    rules_settings: Path | None = Field(
        default=None, description="YAML file overriding compliance rule parameters")
    auth_secret: SecretStr | None = Field(
        default=None, description="HS256 secret tokens are signed with; unset (and no JWKS "
                                  "URL) = one generated in the data directory")
    auth_jwks_url: str | None = Field(
        default=None, description="an identity provider's JWKS URL (RS256/ES256 tokens)")
    auth_issuer: str | None = Field(default=None, description="the `iss` tokens must carry")
    auth_audience: str | None = Field(default=None, description="the `aud` tokens must carry")
    policy: Path | None = Field(
        default=None, description="the access policy file; unset = schema/policy.yaml")
    appraisal: Path | None = Field(
        default=None, description="YAML file of the appraisal formulas' parameters; unset = "
                                  "schema/appraisal.yaml")
    cost_budget: int = Field(
        default=500_000, ge=1, description="the highest estimated cost of a GraphQL document "
                                          "that is run (README, Limits)")
    time_limit: float = Field(
        default=30.0, gt=0, description="seconds a GraphQL request may run before it is "
                                        "stopped with a TIMEOUT error")
    max_body_bytes: int = Field(
        default=1_000_000, ge=1, description="the largest request body accepted (HTTP 413 "
                                             "above it)")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="host names (comma-separated) the app answers besides the loopback names; "
                    "'*' = any")
    trusted_documents_only: bool = Field(
        default=False, description="run only the documents registered with `rolegraph "
                                   "documents add` (README, Trusted documents)")
    log_format: Literal["text", "json"] = Field(
        default="text", description="`json`: one JSON object per log line")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value
