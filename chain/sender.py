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
# Nodes replace a waiting transaction only for at least 10% more on both fees; bump by 12.5%.
BUMP_NUMERATOR, BUMP_DENOMINATOR = 9, 8


@dataclass(frozen=True)
class Fees:
    """EIP-1559 fees, in wei per gas."""

    max_fee: int
    priority_fee: int

    def capped(self, limit: int | None) -> Fees:
        """These fees, neither above `limit` (wei per gas; None: no limit)."""
        if limit is None:
            return self
        return Fees(max_fee=min(self.max_fee, limit), priority_fee=min(self.priority_fee, limit))

    def bumped(self, market: Fees) -> Fees:
        """Fees for a replacement: at least 12.5% above these, and at least the market's."""
        priority = max(_bump(self.priority_fee), market.priority_fee)
        max_fee = max(_bump(self.max_fee), market.max_fee, priority)
        return Fees(max_fee=max_fee, priority_fee=priority)


def _bump(fee: int) -> int:
    return -(-fee * BUMP_NUMERATOR // BUMP_DENOMINATOR)  # rounded up


@dataclass(frozen=True)
class SignedTx:
    hash: str
    raw: bytes
    nonce: int
    fees: Fees


def market_fees(w3: Web3) -> Fees:
    """Fees that get a transaction into the next blocks: room for the base fee to double."""
    base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
    return Fees(max_fee=2 * base_fee + DEFAULT_PRIORITY_FEE, priority_fee=DEFAULT_PRIORITY_FEE)


def complete_transaction(w3: Web3, sender: LocalAccount | str, tx: dict, gas: int | None = None):
    """`tx` ready to sign but for its nonce and fees: sender (an account or its address), chain
    id and gas (`gas` if given, else the node's estimate with headroom). A call that would
    revert raises here."""
    address = sender if isinstance(sender, str) else sender.address
    tx = {**tx, "from": address, "type": 2}
    tx.setdefault("chainId", w3.eth.chain_id)
    for field in ("gas", "nonce", "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice"):
        tx.pop(field, None)  # web3's build_transaction fills some in; they are set below or later
    if gas is None:
        # Headroom, but never past what one block can hold: a large batch must still fit.
        block_limit = w3.eth.get_block("latest")["gasLimit"]
        gas = min(int(w3.eth.estimate_gas(tx) * GAS_HEADROOM), block_limit)
    return {**tx, "gas": gas}


def sign_transaction(account: LocalAccount, tx: dict, nonce: int, fees: Fees) -> SignedTx:
    """Signs a completed transaction with `nonce` and EIP-1559 `fees`; asks the node nothing,
    so a caller can do it while it holds a lock."""
    tx = {
        **tx,
        "nonce": nonce,
        "maxPriorityFeePerGas": fees.priority_fee,
        "maxFeePerGas": fees.max_fee,
    }
    signed = account.sign_transaction(tx)
    return SignedTx(Web3.to_hex(signed.hash), signed.raw_transaction, nonce, fees)


def fetch_receipt(w3: Web3, tx_hash: str):
    """The receipt of a mined transaction, or None while it is not mined."""
    try:
        return w3.eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:
        return None


def mined_nonce(w3: Web3, address: str) -> int:
    """The account's next nonce as mined blocks see it (transactions waiting in a pool aside)."""
    return w3.eth.get_transaction_count(address, "latest")


def is_known(w3: Web3, tx_hash: str) -> bool:
    """Whether the node knows the transaction at all (mined or waiting in its pool)."""
    try:
        w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return False
    return True
