"""Serves the embedded chain over JSON-RPC, so the web app and the worker can share it.

    python -m chain.node --db instance/chain.sqlite --fund 0xOperator --port 8545

Like anvil, but persistent: the state lives in the SQLite file and survives restarts.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from web3 import Web3
from web3.exceptions import ContractLogicError

from chain.embedded import EmbeddedChainProvider

MAX_BODY = 5 * 1024 * 1024
# Only the standard namespaces: eth-tester's own (evm_revert, testing_timeTravel, ...) would let
# any caller rewind the persistent chain.
ALLOWED_NAMESPACES = ("eth_", "net_", "web3_")


def make_server(provider: EmbeddedChainProvider, host: str, port: int) -> ThreadingHTTPServer:
    # eth-tester answers in Python values (ints, bytes, snake_case); the provider's own
    # middleware renames the fields, and _to_wire turns the values into JSON-RPC's hex.
    w3 = Web3(provider, middleware=[])
    request_func = provider.request_func(w3, w3.middleware_onion)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            # JSON only: a web page cannot send that cross-origin without a preflight, which
            # this node never answers.
            if self.headers.get_content_type() != "application/json":
                self._reply(415, _error(None, -32600, "send application/json"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._reply(413, {"error": "request too large"})
                return
            try:
                request = json.loads(self.rfile.read(length))
            except ValueError:
                self._reply(400, _error(None, -32700, "parse error"))
                return
            if isinstance(request, list):
                self._reply(200, [_answer(request_func, item) for item in request])
            else:
                self._reply(200, _answer(request_func, request))

        def _reply(self, status: int, body) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            pass

    return ThreadingHTTPServer((host, port), Handler)


def _answer(request_func, request: dict) -> dict:
    request_id = request.get("id") if isinstance(request, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("method"), str):
        return _error(request_id, -32600, "invalid request")
    if not request["method"].startswith(ALLOWED_NAMESPACES):
        return _error(request_id, -32601, f"method not available: {request['method']}")
    try:
        response = request_func(request["method"], request.get("params") or [])
    except ContractLogicError as exc:
        return _error(request_id, 3, f"execution reverted: {exc.message}", exc.data)
    except Exception as exc:  # the node must answer every request, as a real node does
        return _error(request_id, -32603, f"{type(exc).__name__}: {exc}")
    if "error" in response:
        return {"jsonrpc": "2.0", "id": request_id, "error": _to_wire(dict(response["error"]))}
    return {"jsonrpc": "2.0", "id": request_id, "result": _to_wire(response.get("result"))}


def _to_wire(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Mapping):
        return {key: _to_wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_wire(item) for item in value]
    raise TypeError(f"cannot encode {type(value).__name__}")


def _error(request_id, code: int, message: str, data=None) -> dict:
    error = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def _stop(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="SQLite file holding the chain")
    parser.add_argument("--fund", action="append", default=[], help="address funded at genesis")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8545)
    args = parser.parse_args(argv)

    provider = EmbeddedChainProvider(args.db, args.fund)
    server = make_server(provider, args.host, args.port)
    signal.signal(signal.SIGTERM, _stop)
    print(f"embedded chain on http://{args.host}:{args.port} (state in {args.db})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal (the parent stopping its children as well) must not cut the close.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.server_close()
        provider.close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
