"""Custodial wallets derived from one master secret (BIP-39 mnemonic, BIP-44 paths).

No member key is ever stored: a member's address (and, when needed, key) is derived from the
master secret and the member's index. The operator (deployer and minter) has its own path.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from eth_account import Account
from eth_account.hdaccount import generate_mnemonic, key_from_seed, seed_from_mnemonic
from eth_account.hdaccount.mnemonic import Language
from eth_account.signers.local import LocalAccount

OPERATOR_PATH = "m/44'/60'/0'/0/0"
MEMBER_PATH = "m/44'/60'/1'/0/{index}"


class Keyring:
    """Keys derived from the master secret; `operator_key` overrides the operator's."""

    def __init__(self, mnemonic: str, operator_key: str | None = None) -> None:
        self._seed = seed_from_mnemonic(mnemonic, passphrase="")
        self._operator_key = operator_key

    @property
    def operator(self) -> LocalAccount:
        if self._operator_key:
            return Account.from_key(self._operator_key)
        return Account.from_key(key_from_seed(self._seed, OPERATOR_PATH))

    def member_account(self, index: int) -> LocalAccount:
        if index < 0:
            raise ValueError("member index must not be negative")
        return Account.from_key(key_from_seed(self._seed, MEMBER_PATH.format(index=index)))

    def member_address(self, index: int) -> str:
        return _cached_address(self._seed, index)


@lru_cache(maxsize=4096)
def _cached_address(seed: bytes, index: int) -> str:
    return Account.from_key(key_from_seed(seed, MEMBER_PATH.format(index=index))).address


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
