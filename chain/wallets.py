"""Custodial wallets derived from one master secret (BIP-39 mnemonic, BIP-44 paths).

No member key is ever stored: a member's address (and, when needed, key) is derived from the
master secret and the member's index. The operator (deployer and minter) has its own path.

Two halves, so that keys stay where transactions are signed:
- `Keyring` holds the master secret and the keys it derives. Only the chain worker and the
  commands that deploy or sign load it.
- `PublicKeyring` holds the operator's address and the extended public key of the members'
  branch (m/44'/60'/1'/0). Every member's address is derived from it by BIP-32 public
  derivation (the last level, /<index>, is not hardened), so the web app creates members with
  the same addresses as the secret would give, and holds no key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from eth_account import Account
from eth_account.hdaccount import generate_mnemonic, seed_from_mnemonic
from eth_account.hdaccount.deterministic import Node, derive_child_key
from eth_account.hdaccount.mnemonic import Language
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_keys.backends.native.jacobian import fast_add, fast_multiply
from eth_keys.constants import SECPK1_B, SECPK1_G, SECPK1_N, SECPK1_P

OPERATOR_PATH = "m/44'/60'/0'/0/0"
MEMBERS_PATH = "m/44'/60'/1'/0"  # the members' branch: its extended public key is shareable
MEMBER_PATH = MEMBERS_PATH + "/{index}"
HARDENED = 2**31


class Keyring:
    """Keys derived from the master secret; `operator_key` overrides the operator's."""

    def __init__(self, mnemonic: str, operator_key: str | None = None) -> None:
        self._seed = seed_from_mnemonic(mnemonic, passphrase="")
        self._operator_key = operator_key

    @property
    def operator(self) -> LocalAccount:
        if self._operator_key:
            return Account.from_key(self._operator_key)
        return Account.from_key(_derive(self._seed, OPERATOR_PATH)[0])

    def member_account(self, index: int) -> LocalAccount:
        _check_index(index)
        return Account.from_key(_derive(self._seed, MEMBER_PATH.format(index=index))[0])

    def member_address(self, index: int) -> str:
        return self.public().member_address(index)

    def public(self) -> PublicKeyring:
        """What the web app may know: addresses, and no key."""
        key, chain_code = _derive(self._seed, MEMBERS_PATH)
        return PublicKeyring(
            operator_address=self.operator.address,
            members_public_key=keys.PrivateKey(key).public_key.to_compressed_bytes(),
            members_chain_code=chain_code,
        )


@dataclass(frozen=True)
class PublicKeyring:
    """The operator's address and the members' extended public key (BIP-32 xpub of
    MEMBERS_PATH: a compressed public key and a chain code). It cannot sign anything."""

    operator_address: str
    members_public_key: bytes  # 33 bytes, compressed
    members_chain_code: bytes  # 32 bytes

    def __post_init__(self) -> None:
        if len(self.members_chain_code) != 32:
            raise ValueError("the members' chain code must be 32 bytes")
        if not _on_curve(self.members_public_key):
            raise ValueError("the members' public key is not a compressed secp256k1 point")

    def member_address(self, index: int) -> str:
        _check_index(index)
        return _member_address(self.members_public_key, self.members_chain_code, index)

    def to_json(self) -> str:
        return json.dumps(
            {
                "operator_address": self.operator_address,
                "members_path": MEMBERS_PATH,
                "members_public_key": self.members_public_key.hex(),
                "members_chain_code": self.members_chain_code.hex(),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> PublicKeyring:
        data = json.loads(text)
        if data.get("members_path", MEMBERS_PATH) != MEMBERS_PATH:
            raise ValueError(f"members' keys must be at {MEMBERS_PATH}, not {data['members_path']}")
        return cls(
            operator_address=data["operator_address"],
            members_public_key=bytes.fromhex(data["members_public_key"]),
            members_chain_code=bytes.fromhex(data["members_chain_code"]),
        )


def write_public_keyring(path: Path, public: PublicKeyring) -> bool:
    """Writes `public` to `path` (readable by all: it holds no secret) unless it holds it
    already; returns whether it wrote. Atomic, so a web process never reads half a file."""
    text = public.to_json() + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return True


def _on_curve(compressed: bytes) -> bool:
    try:
        raw = keys.PublicKey.from_compressed_bytes(compressed).to_bytes()
    except Exception:  # eth-keys raises its own ValidationError for a wrong length or prefix
        return False
    x, y = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    return (y * y - x * x * x - SECPK1_B) % SECPK1_P == 0


def _check_index(index: int) -> None:
    if not 0 <= index < HARDENED:
        raise ValueError(f"a member index is from 0 to 2**31 - 1, not {index}")


def _derive(seed: bytes, path: str) -> tuple[bytes, bytes]:
    """BIP-32 private derivation: (private key, chain code) at `path`, as eth-account's
    `key_from_seed` derives the key (which drops the chain code)."""
    master = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    key, chain_code = master[:32], master[32:]
    for part in path.split("/")[1:]:
        node = Node.decode(part)
        key, chain_code = derive_child_key(key, chain_code, node)
    return key, chain_code


@lru_cache(maxsize=4096)
def _member_address(parent_key: bytes, chain_code: bytes, index: int) -> str:
    """BIP-32 CKDpub: the address of the non-hardened child `index` of the extended public key
    (parent_key, chain_code): point(I_L) + K_par, with I = HMAC-SHA512(c_par, ser_P(K_par) ||
    ser_32(i)). As in eth-account's private derivation, an invalid I_L (a chance below 2**-127)
    moves on to the next index, so both derivations give the same address."""
    digest = hmac.new(chain_code, parent_key + index.to_bytes(4, "big"), hashlib.sha512).digest()
    tweak = int.from_bytes(digest[:32], "big")
    raw_parent = keys.PublicKey.from_compressed_bytes(parent_key).to_bytes()
    parent_point = (int.from_bytes(raw_parent[:32], "big"), int.from_bytes(raw_parent[32:], "big"))
    child = fast_add(fast_multiply(SECPK1_G, tweak), parent_point) if tweak < SECPK1_N else None
    if child is None or child == (0, 0):  # (0, 0): the point at infinity
        return _member_address(parent_key, chain_code, index + 1)
    raw = child[0].to_bytes(32, "big") + child[1].to_bytes(32, "big")
    return keys.PublicKey(raw).to_checksum_address()


def load_or_create_mnemonic(path: Path) -> str:
    """Reads the master secret from `path`, writing a new one (mode 0600) if there is none."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    mnemonic = generate_mnemonic(24, Language.ENGLISH)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(mnemonic + "\n")
    return mnemonic
