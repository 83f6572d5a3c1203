"""The OpenAPI 3.1 document, built from what each handler declares with :func:`operation`."""

from __future__ import annotations

from typing import Any

OPERATIONS: dict[str, dict[str, dict]] = {}
ERROR = {"$ref": "#/components/schemas/Error"}


def operation(method: str, path: str, *, summary: str, tag: str, params: list | None = None,
              body: dict | None = None, responses: dict[int, str] | None = None,
              errors: dict[int, str] | None = None):
    """Declare a handler's OpenAPI operation; ``errors`` maps status to the stable codes."""

    def register(handler):
        answers: dict[str, Any] = {str(s): {"description": d} for s, d in (responses or {}).items()}
        for status, codes in (errors or {}).items():
            answers[str(status)] = {"description": f"error codes: {codes}",
                                    "content": {"application/json": {"schema": ERROR}}}
        op = {"summary": summary, "tags": [tag], "operationId": handler.__name__,
              "responses": answers or {"200": {"description": "OK"}}}
        if params:
            op["parameters"] = params
        if body:
            op["requestBody"] = body
        OPERATIONS.setdefault(path, {})[method.lower()] = op
        return handler

    return register


def query(name: str, description: str, *, required: bool = False, schema: dict | None = None):
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def build_spec(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Gongzhi public API", "version": "1",
                 "description": "Food-safety trace, search and data exchange. "
                                "Every error answers {\"error\": {code, message, field}}. "
                                "Messages, alerts and notices are Simplified Chinese, or "
                                "English when Accept-Language prefers en (q-values; codes "
                                "never change); answers say Content-Language."},
        "servers": [{"url": base_url}],
        "paths": OPERATIONS,
        "components": {
            "schemas": {"Error": {
                "type": "object", "required": ["error"],
                "properties": {"error": {"type": "object", "required": ["code", "message"],
                                         "properties": {"code": {"type": "string"},
                                                        "message": {"type": "string"},
                                                        "field": {"type": ["string", "null"]}}}},
            }},
            "securitySchemes": {"exchangeToken": {"type": "http", "scheme": "bearer"}},
        },
    }
