"""Signs and sends transactions with a local key: the same path for every node.

A transaction is signed before it is sent, so its hash can be recorded first; a crash between
recording and sending then leaves a hash to look up, never an unknown transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import TransactionNotFound

GAS_HEADROOM = 1.2
DEFAULT_PRIORITY_FEE = Web3.to_wei(1, "gwei")


@dataclass(frozen=True)
class SignedTx:
    hash: str
    raw: bytes
    nonce: int


def sign_transaction(
    w3: Web3, account: LocalAccount, tx: dict, nonce: int, gas: int | None = None
) -> SignedTx:
    """Completes `tx` (chain id, nonce, EIP-1559 fees, and gas: `gas` if given, else the
    node's estimate with headroom) and signs it."""
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    tx = {
        **tx,
        "from": account.address,
        "chainId": w3.eth.chain_id,
        "nonce": nonce,
        "type": 2,
        "maxPriorityFeePerGas": DEFAULT_PRIORITY_FEE,
        "maxFeePerGas": 2 * base_fee + DEFAULT_PRIORITY_FEE,
    }
    tx.pop("gas", None)  # web3's build_transaction fills in a bare estimate
    tx["gas"] = gas if gas is not None else int(w3.eth.estimate_gas(tx) * GAS_HEADROOM)
    signed = account.sign_transaction(tx)
    return SignedTx(hash=Web3.to_hex(signed.hash), raw=signed.raw_transaction, nonce=nonce)


def send_signed(w3: Web3, signed: SignedTx) -> str:
    return Web3.to_hex(w3.eth.send_raw_transaction(signed.raw))


def fetch_receipt(w3: Web3, tx_hash: str):
    """The receipt of a mined transaction, or None while it is not mined."""
    try:
        return w3.eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:
        return None


def is_known(w3: Web3, tx_hash: str) -> bool:
    """Whether the node knows the transaction at all (mined or waiting in its pool)."""
    try:
        w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return False
    return True
