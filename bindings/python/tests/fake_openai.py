"""A small OpenAI-compatible Chat Completions server for the binding's tests (stdlib only)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    """Serves /v1/chat/completions (JSON or SSE), /v1/models, and scripted faults.

    Each chat request takes the next scripted behaviour (a dict) or, when none is left,
    answers "ready" (or, for a structured request, an object that fits its schema). Every
    request is recorded with its path, headers and JSON body. Behaviours:

    * ``{"kind": "reply", "text": str}`` or ``{"kind": "reply", "chunks": [str, ...]}``, with
      optional ``"usage": (input, output)``, ``"interval"`` (seconds between streamed
      chunks) and ``"delay"`` (seconds before the first byte). A streamed request gets SSE.
    * ``{"kind": "status", "code": int, "message": str, "headers": {...}}``: an error in
      OpenAI's format.

    Structured replies (the library sends ``response_format: json_schema`` and reads the
    message content as JSON) are scripted with :meth:`push_json`, or :meth:`push_plan` and
    :meth:`push_summary` for the vibe engine's planner and summary calls; a streamed request
    gets the JSON text cut into ``chunks`` SSE chunks.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.models = ["gpt-4o", "gpt-4o-mini"]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                fake._record(self, None)
                if self.path.rstrip("/").endswith("/models"):
                    body = {"object": "list", "data": [{"id": m, "object": "model"} for m in fake.models]}
                    self._send_json(200, body)
                else:
                    self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                fake._record(self, body)
                if not self.path.endswith("/chat/completions"):
                    self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                with fake.lock:
                    behaviour = fake.script.pop(0) if fake.script else fake.default_reply(body)
                try:
                    self._answer(behaviour, body if isinstance(body, dict) else {})
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (cancel): nothing to do

            def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _chunk(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def _answer(self, behaviour: dict[str, Any], request: dict[str, Any]) -> None:
                time.sleep(behaviour.get("delay", 0))
                kind = behaviour["kind"]
                if kind == "status":
                    code = behaviour["code"]
                    kinds = {401: "invalid_api_key", 429: "rate_limit_exceeded", 503: "server_error"}
                    error = {"message": behaviour.get("message", f"fake error {code}"), "type": kinds.get(code, "error")}
                    self._send_json(code, {"error": error}, behaviour.get("headers"))
                    return
                model = request.get("model", "gpt-4o")
                chunks: list[str] = behaviour.get("chunks") or [behaviour.get("text", "ready")]
                usage_in, usage_out = behaviour.get("usage", (11, 2))
                usage = {"prompt_tokens": usage_in, "completion_tokens": usage_out, "total_tokens": usage_in + usage_out}
                if not request.get("stream"):
                    message = {"role": "assistant", "content": "".join(chunks)}
                    choice = {"index": 0, "message": message, "finish_reason": "stop"}
                    body = {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "created": 0,
                        "model": model,
                        "choices": [choice],
                        "usage": usage,
                    }
                    self._send_json(200, body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()

                def event(payload: Any) -> None:
                    self._chunk(f"data: {json.dumps(payload)}\n\n")

                base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
                for index, text in enumerate(chunks):
                    if index:
                        time.sleep(behaviour.get("interval", 0))
                    delta = {"role": "assistant", "content": text} if index == 0 else {"content": text}
                    event({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                event({**base, "choices": [], "usage": usage})
                self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    #: What an unscripted planner request gets: list the pods.
    DEFAULT_PLAN: dict[str, Any] = {
        "action": {"action_type": "COMMAND", "commands": ["get", "pods"], "explanation": "List the pods."},
        "presentation_hints": None,
    }

    @staticmethod
    def default_reply(request: Any) -> dict[str, Any]:
        """What an unscripted request gets: "ready", or an object that fits the requested schema.

        A planner request (its schema has an "action" object) gets :attr:`DEFAULT_PLAN`.
        """
        schema = None
        if isinstance(request, dict):
            schema = ((request.get("response_format") or {}).get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            return {"kind": "reply", "text": "ready"}
        if "action" in (schema.get("properties") or {}):
            return {"kind": "reply", "text": json.dumps(FakeOpenAI.DEFAULT_PLAN)}
        return {"kind": "reply", "text": json.dumps(FakeOpenAI.sample(schema))}

    @staticmethod
    def sample(schema: Any) -> Any:
        """A value that fits a (simple) JSON schema: "fake" for strings, 1 for integers, ..."""
        if not isinstance(schema, dict):
            return None
        if schema.get("enum"):
            return schema["enum"][0]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object":
            return {name: FakeOpenAI.sample(spec) for name, spec in (schema.get("properties") or {}).items()}
        samples = {"string": "fake", "integer": 1, "number": 1.5, "boolean": True, "array": []}
        return samples.get(kind)

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        with self.lock:
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": {k.lower(): v for k, v in handler.headers.items()},
                    "body": body,
                }
            )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def push(self, *behaviours: dict[str, Any]) -> None:
        with self.lock:
            self.script.extend(behaviours)

    def push_json(self, value: Any, chunks: int = 1, **behaviour: Any) -> None:
        """Scripts a structured reply: ``value`` as JSON message content, streamed in ``chunks`` pieces."""
        text = json.dumps(value)
        size = max(1, -(-len(text) // max(1, chunks)))
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        self.push({"kind": "reply", "chunks": pieces, **behaviour})

    def push_plan(self, action_type: str = "COMMAND", presentation_hints: str | None = None, **fields: Any) -> None:
        """Scripts a planner reply: ``push_plan(commands=["get", "pods"], explanation="...")``."""
        self.push_json({"action": {"action_type": action_type, **fields}, "presentation_hints": presentation_hints})

    def push_summary(self, summary: str | None = None, memory: str | None = None, recovery: str | None = None,
                     chunks: int = 1, **behaviour: Any) -> None:
        """Scripts a summary reply: ``{"summary": ..., "memory": ...}`` (or ``"recovery"``)."""
        value: dict[str, Any] = {}
        if summary is not None:
            value["summary"] = summary
        if recovery is not None:
            value["recovery"] = recovery
        if memory is not None:
            value["memory"] = memory
        self.push_json(value, chunks=chunks, **behaviour)

    def pending(self) -> int:
        """Scripted behaviours not yet used."""
        with self.lock:
            return len(self.script)

    def chat_requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["method"] == "POST"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
