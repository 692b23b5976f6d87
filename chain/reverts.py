"""Why a call or a transaction reverted: the revert data decoded into an error name and its
arguments, from the custom errors of Enishi's contracts (and of the OpenZeppelin code in them),
Solidity's Error(string) and Panic(uint256)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from eth_abi import decode
from eth_utils import keccak
from eth_utils.abi import abi_to_signature
from web3.exceptions import ContractLogicError

from chain.artifacts import CONTRACT_NAMES, load_artifact

STANDARD_ERRORS = (
    {"type": "error", "name": "Error", "inputs": [{"name": "reason", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
)


@dataclass(frozen=True)
class Revert:
    """A decoded revert: `name` is the error's name, or "unknown" when the data matches none
    (or the node gave no data)."""

    name: str
    args: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(f'{key}={value}' for key, value in self.args.items())})"


def decode_revert(data: bytes | str | None) -> Revert:
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x"))
    if not data or len(data) < 4:
        return Revert("unknown")
    error = _errors_by_selector().get(data[:4])
    if error is None:
        return Revert("unknown", {"data": "0x" + data.hex()})
    types = [item["type"] for item in error["inputs"]]
    try:
        values = decode(types, data[4:])
    except Exception:  # the selector matched but the arguments do not decode
        return Revert(error["name"], {"data": "0x" + data.hex()})
    names = [item["name"] or f"arg{n}" for n, item in enumerate(error["inputs"])]
    return Revert(
        error["name"], {name: _plain(value) for name, value in zip(names, values, strict=True)}
    )


def revert_of(exc: BaseException) -> Revert | None:
    """The revert an exception reports, or None if it is not a revert (a network error, say)."""
    if not isinstance(exc, ContractLogicError):
        return None
    data = exc.data
    if isinstance(data, dict):  # some nodes nest it
        data = data.get("data")
    revert = decode_revert(data if isinstance(data, str | bytes) else None)
    if revert.name == "unknown" and not revert.args and exc.message:
        return Revert("unknown", {"message": exc.message})
    return revert


def encode_reason(reason: str) -> bytes:
    """The revert data of `require(false, reason)`: Error(string)."""
    from eth_abi import encode

    return keccak(text="Error(string)")[:4] + encode(["string"], [reason])


@cache
def _errors_by_selector() -> dict[bytes, dict]:
    errors = list(STANDARD_ERRORS)
    for name in CONTRACT_NAMES:
        errors += [item for item in load_artifact(name)["abi"] if item["type"] == "error"]
    return {keccak(text=abi_to_signature(error))[:4]: error for error in errors}


def _plain(value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value
