"""Trusted documents (persisted queries): a GraphQL document known by its SHA-256.

A front end's build lists the documents it sends; they are registered once (``rolegraph
documents add``), and the client then sends an id instead of the text, in any of the forms
clients use:

* Apollo's automatic persisted queries: ``extensions.persistedQuery.sha256Hash`` (with
  ``version`` 1), with or without the ``query`` itself;
* the GraphQL-over-HTTP persisted documents proposal and Relay: ``documentId`` (or Relay's
  ``doc_id``), ``sha256:<hex>`` or the bare hex digest.

The id is the SHA-256 of the document's UTF-8 text, 64 lower-case hex digits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from domain.errors import InvalidInput

_HEX = re.compile(r"[0-9a-f]{64}")
#: the error message Apollo's clients answer by sending the full query
NOT_FOUND = "PersistedQueryNotFound"


def document_id(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), 64 lower-case hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _id(value: object, field: str) -> str:
    text = value.removeprefix("sha256:") if isinstance(value, str) else None
    if text is None or not _HEX.fullmatch(text.lower()):
        raise InvalidInput(f"{field} must be a document's SHA-256 (64 hex digits, optionally "
                           f"after 'sha256:'), not {value!r}", field=field)
    return text.lower()


#: where a request's document id travels once read: the GraphQL route moves a body's or
#: URL's ``documentId`` / ``doc_id`` into the request's extensions under this name
DOCUMENT_ID = "documentId"


def requested_id(extensions: Mapping[str, Any] | None) -> str | None:
    """The document id a request names (None: none), from ``documentId`` (see
    :data:`DOCUMENT_ID`) or ``persistedQuery``; BAD_INPUT naming the field when malformed."""
    extensions = extensions or {}
    if extensions.get(DOCUMENT_ID) is not None:
        return _id(extensions[DOCUMENT_ID], DOCUMENT_ID)
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping) or persisted.get("version", 1) != 1:
        raise InvalidInput("extensions.persistedQuery must be {version: 1, sha256Hash: ...}",
                           field="persistedQuery")
    return _id(persisted.get("sha256Hash"), "sha256Hash")
