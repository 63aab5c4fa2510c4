"""The emulator's own OpenAPI document: the seed contract, plus the 400s it leaves out, the legacy paths and the
Developer API topic endpoints that the emulator also serves."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_TOPIC_ID = {"$ref": "#/components/parameters/TopicId"}
_ERRORS = {
    "400": _ref("responses/BadRequest"),
    "401": _ref("responses/Unauthorized"),
    "404": _ref("responses/NotFound"),
    "429": _ref("responses/RateLimitExceeded"),
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ERRORS[code] for code in codes}


def _consume(operation_id: str, summary: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["Messages"],
            "parameters": [_TOPIC_ID],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": _ref("schemas/ConsumeRequest")}},
            },
            "responses": {
                "200": _json(_ref("schemas/ConsumeResponse"), "A batch of messages from the topic."),
                **_errors("400", "401", "404", "429"),
            },
        }
    }


def _publish(operation_id: str, summary: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["Messages"],
            "parameters": [_TOPIC_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "description": "Message payload. Must conform to the topic's schema definition.",
                            "additionalProperties": True,
                        }
                    }
                },
            },
            "responses": {
                "200": _json(_ref("schemas/PublishResponse"), "The published message ID."),
                **_errors("400", "401", "404", "429"),
            },
        }
    }


_TOPIC_BODY = {
    "required": True,
    "content": {"application/json": {"schema": _ref("schemas/TopicInput")}},
}
_TOPIC_ANSWER = _json(
    {"type": "object", "required": ["data"], "properties": {"data": _ref("schemas/Topic")}}, "The topic."
)
_SUCCESS = _json(
    {
        "type": "object",
        "required": ["data"],
        "properties": {"data": {"type": "object", "properties": {"success": {"type": "boolean"}}}},
    },
    "Done.",
)

_FIELD: dict[str, Any] = {
    "type": "object",
    "description": "One field of a Workato schema (field list).",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "type": {
            "type": "string",
            "enum": ["string", "integer", "number", "boolean", "date_time", "timestamp", "date", "object", "array"],
        },
        "optional": {"type": "boolean"},
        "label": {"type": "string"},
        "of": {
            "type": "string",
            "enum": ["string", "integer", "number", "boolean", "date_time", "timestamp", "date", "object"],
        },
        "hint": {"type": "string"},
        "properties": {"type": "array", "items": {"$ref": "#/components/schemas/SchemaField"}},
    },
    "additionalProperties": True,
}


def openapi_document(server_url: str = "http://127.0.0.1:9300") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Workato Event Streams Public API (Topic Inspector emulator)",
            "description": (
                "A local emulator of the Workato Event Streams Public API: consume with long polling, single "
                "publish, batch publish of up to 100 messages, 1 MB maximum payload, 60 requests per minute per "
                "token by default. It also serves the legacy /api/pubsub paths and the Developer API topic "
                "endpoints."
            ),
            "version": "1.0",
        },
        "servers": [{"url": server_url, "description": "This emulator"}],
        "tags": [
            {"name": "Messages", "description": "Publishing and consuming messages."},
            {"name": "Topics", "description": "Developer API topic management."},
        ],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/topics/{topic_id}/consume": _consume("consumeMessages", "Consume messages from a topic"),
            "/api/v1/topics/{topic_id}/publish": _publish("publishMessage", "Publish a message to a topic"),
            "/api/v1/batch/topics/{topic_id}/publish": {
                "post": {
                    "operationId": "publishBatchMessages",
                    "summary": "Publish a batch of messages to a topic",
                    "tags": ["Messages"],
                    "parameters": [_TOPIC_ID],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("schemas/BatchPublishRequest")}},
                    },
                    "responses": {
                        "200": _json(_ref("schemas/BatchPublishResponse"), "Batch publish results."),
                        **_errors("400", "401", "404", "429"),
                    },
                }
            },
            "/api/pubsub/topics/{topic_id}/consume": _consume("legacyConsumeMessages", "Consume (legacy path)"),
            "/api/pubsub/topics/{topic_id}/publish": _publish("legacyPublishMessage", "Publish (legacy path)"),
            "/api/event_streams/topics": {
                "get": {
                    "operationId": "listTopics",
                    "summary": "List topics",
                    "tags": ["Topics"],
                    "parameters": [
                        {"name": "name", "in": "query", "required": False, "schema": {"type": "string"}},
                        {
                            "name": "sort",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["activity", "name", "id"]},
                        },
                        {"name": "include_schema", "in": "query", "required": False, "schema": {"type": "boolean"}},
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["data", "count"],
                                "properties": {
                                    "data": {"type": "array", "items": _ref("schemas/Topic")},
                                    "count": {"type": "integer"},
                                },
                            },
                            "The topics.",
                        ),
                        **_errors("400", "401", "429"),
                    },
                },
                "post": {
                    "operationId": "createTopic",
                    "summary": "Create a topic",
                    "tags": ["Topics"],
                    "requestBody": _TOPIC_BODY,
                    "responses": {"200": _TOPIC_ANSWER, **_errors("400", "401", "429")},
                },
            },
            "/api/event_streams/topics/{topic_id}": {
                "get": {
                    "operationId": "getTopic",
                    "summary": "Get a topic",
                    "tags": ["Topics"],
                    "parameters": [_TOPIC_ID],
                    "responses": {"200": _TOPIC_ANSWER, **_errors("401", "404", "429")},
                },
                "put": {
                    "operationId": "updateTopic",
                    "summary": "Update a topic",
                    "tags": ["Topics"],
                    "parameters": [_TOPIC_ID],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("schemas/TopicUpdate")}},
                    },
                    "responses": {"200": _TOPIC_ANSWER, **_errors("400", "401", "404", "429")},
                },
                "delete": {
                    "operationId": "deleteTopic",
                    "summary": "Delete a topic and its messages",
                    "tags": ["Topics"],
                    "parameters": [_TOPIC_ID],
                    "responses": {"200": _SUCCESS, **_errors("401", "404", "429")},
                },
            },
            "/api/event_streams/topics/{topic_id}/purge": {
                "put": {
                    "operationId": "purgeTopic",
                    "summary": "Delete every message of a topic",
                    "tags": ["Topics"],
                    "parameters": [_TOPIC_ID],
                    "responses": {"200": _SUCCESS, **_errors("401", "404", "429")},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "TopicId": {
                    "name": "topic_id",
                    "in": "path",
                    "required": True,
                    "description": "Unique integer identifier of the event topic.",
                    "schema": {"type": "integer"},
                }
            },
            "responses": {
                "Unauthorized": _json(_ref("schemas/ErrorResponse"), "Authentication token is missing or invalid."),
                "BadRequest": _json(_ref("schemas/ErrorResponse"), "The request is invalid."),
                "NotFound": _json(_ref("schemas/ErrorResponse"), "The specified topic was not found."),
                "RateLimitExceeded": {
                    **_json(_ref("schemas/ErrorResponse"), "Rate limit exceeded."),
                    "headers": {
                        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
                    },
                },
            },
            "schemas": _schemas(),
        },
    }


def _schemas() -> dict[str, Any]:
    return {
        "ConsumeRequest": {
            "type": "object",
            "properties": {
                "after_message_id": {"type": "string"},
                "since_time": {"type": "string", "format": "date-time"},
                "batch_size": {"type": "integer", "minimum": 1, "maximum": 50},
                "timeout_secs": {"type": "integer", "minimum": 0, "maximum": 60, "default": 0},
            },
        },
        "ConsumeResponse": {
            "type": "object",
            "required": ["messages"],
            "properties": {"messages": {"type": "array", "items": _ref("schemas/Message")}},
        },
        "Message": {
            "type": "object",
            "required": ["message_id", "payload", "time"],
            "properties": {
                "message_id": {"type": "string"},
                "payload": {"type": "object", "additionalProperties": True},
                "time": {"type": "string", "format": "date-time"},
            },
        },
        "PublishResponse": {
            "type": "object",
            "required": ["message_id"],
            "properties": {"message_id": {"type": "string"}},
        },
        "BatchPublishRequest": {
            "type": "object",
            "required": ["payloads"],
            "properties": {
                "payloads": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {"type": "object", "additionalProperties": True},
                }
            },
        },
        "BatchPublishResponse": {
            "type": "object",
            "required": ["is_partial_error", "message_ids"],
            "properties": {
                "is_partial_error": {"type": "boolean"},
                "message_ids": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["result"],
                        "properties": {
                            "message_id": {"type": "string"},
                            "result": {"type": "string"},
                            "error": {"type": "string"},
                        },
                    },
                },
            },
        },
        "ErrorResponse": {
            "type": "object",
            "required": ["message", "code"],
            "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
        },
        "SchemaField": _FIELD,
        "Topic": {
            "type": "object",
            "required": ["id", "name", "description", "retention", "created_at", "updated_at"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "retention": {"type": "integer"},
                "schema": {"type": "array", "items": _ref("schemas/SchemaField")},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
        "TopicInput": {
            "type": "object",
            "required": ["name", "schema"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "schema": {"type": "array", "items": _ref("schemas/SchemaField")},
                "retention": {"type": "integer", "minimum": 60, "maximum": 7776000},
                "description": {"type": "string"},
            },
        },
        "TopicUpdate": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "schema": {"type": "array", "items": _ref("schemas/SchemaField")},
                "retention": {"type": "integer", "minimum": 60, "maximum": 7776000},
                "description": {"type": "string"},
            },
        },
    }
