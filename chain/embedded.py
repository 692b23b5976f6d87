"""The embedded development chain: py-evm whose state lives in one SQLite file.

py-evm keeps its chain in a key-value database (`eth.db`); eth-tester uses an in-memory one.
Here the key-value store is a SQLite table, committed after every mined block, so a restart
opens the same file and continues from the stored canonical head.
"""

from __future__ import annotations

import ast
import sqlite3
import threading
from pathlib import Path

from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB
from eth.exceptions import TransactionNotFound as NotInIndex
from eth.vm.forks import PragueVM
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import get_default_genesis_params
from eth_tester.backends.pyevm.serializers import (
    serialize_transaction,
    serialize_transaction_receipt,
)
from eth_tester.exceptions import TransactionFailed, TransactionNotFound
from web3 import EthereumTesterProvider

from chain.reverts import encode_reason

# web3's tester provider answers eth_chainId with this fixed value, so the chain signs with it too.
EMBEDDED_CHAIN_ID = 131277322940537
GENESIS_BALANCE = 10**24  # one million ether for the operator: gas is never the limit here


class SQLiteKeyValueDB(BaseDB):
    """A py-evm key-value database in one SQLite table; `commit()` makes writes durable."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level="DEFERRED")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
        self._conn.commit()

    def __getitem__(self, key: bytes) -> bytes:
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return row[0]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._conn.execute("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        if self._conn.execute("DELETE FROM kv WHERE k = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self._conn.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None

    def commit(self) -> None:
        self._conn.commit()

    def close(self) -> None:
        self._conn.commit()
        self._conn.close()


class EnishiDevChain(MiningChain):
    chain_id = EMBEDDED_CHAIN_ID
    vm_configuration = ((0, PragueVM),)

    def create_header_from_parent(self, parent_header, **header_params):
        # A constant gas limit, as eth-tester's own chain keeps it.
        header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)

    def get_transaction_builder(self):
        return self.get_vm().get_transaction_builder()


class PersistentPyEVMBackend(PyEVMBackend):
    """eth-tester's py-evm backend, opened from (or created in) a SQLite file."""

    def __init__(self, path: Path, funded: list[str]) -> None:
        self.account_keys = ()
        self._kv = SQLiteKeyValueDB(path)
        base_db = AtomicDB(self._kv)
        if _has_canonical_head(base_db):
            self.chain = EnishiDevChain(base_db)
        else:
            genesis_state = {
                bytes.fromhex(address.removeprefix("0x")): {
                    "balance": GENESIS_BALANCE,
                    "nonce": 0,
                    "code": b"",
                    "storage": {},
                }
                for address in funded
            }
            params = get_default_genesis_params()
            self.chain = EnishiDevChain.from_genesis(base_db, params, genesis_state)
            self._kv.commit()

    def mine_blocks(self, num_blocks=1, coinbase=None):
        kwargs = {} if coinbase is None else {"coinbase": coinbase}
        hashes = super().mine_blocks(num_blocks, **kwargs)
        self._kv.commit()
        return hashes

    def close(self) -> None:
        self._kv.close()

    # eth-tester finds a transaction by reading every block back from the head, so a receipt
    # costs a walk down the whole chain and a log query (one receipt per transaction) grows
    # with its square: `enishi reconcile` timed out on a chain of 175 blocks. py-evm keeps an
    # index of mined transactions by hash; these two read it instead.

    def get_transaction_by_hash(self, transaction_hash):
        block, transaction, index = self._find_transaction(transaction_hash)
        is_pending = block.number == self.chain.get_block().number
        return serialize_transaction(block, transaction, index, is_pending)

    def get_transaction_receipt(self, transaction_hash):
        block, transaction, index = self._find_transaction(transaction_hash)
        is_pending = block.number == self.chain.get_block().number
        receipts = block.get_receipts(self.chain.chaindb)
        return serialize_transaction_receipt(
            block, receipts, transaction, index, is_pending, self.chain.get_vm()
        )

    def _find_transaction(self, transaction_hash):
        """(block, transaction, index): in the block being built, else a mined one."""
        pending = self.chain.get_block()
        for index, transaction in enumerate(pending.transactions):
            if transaction.hash == transaction_hash:
                return pending, transaction, index
        try:
            number, index = self.chain.chaindb.get_transaction_index(transaction_hash)
        except NotInIndex:
            raise TransactionNotFound(f"no transaction {transaction_hash.hex()}") from None
        block = self.chain.get_canonical_block_by_number(number)
        return block, block.transactions[index], index


def _has_canonical_head(base_db: AtomicDB) -> bool:
    from eth.db.chain import ChainDB
    from eth.exceptions import CanonicalHeadNotFound

    try:
        ChainDB(base_db).get_canonical_head()
    except CanonicalHeadNotFound:
        return False
    return True


class EmbeddedChainProvider(EthereumTesterProvider):
    """A web3 provider over the persistent backend, safe to share between threads."""

    def __init__(self, path: Path, funded: list[str]) -> None:
        self.backend = PersistentPyEVMBackend(path, funded)
        super().__init__(EthereumTester(backend=self.backend, auto_mine_transactions=True))
        self._lock = threading.RLock()

    def make_request(self, method, params):
        with self._lock:
            try:
                return super().make_request(method, params)
            except TransactionFailed as exc:
                # As a real node answers: code 3 with the revert data, so callers decode the
                # same custom errors here as on anvil (eth-tester keeps them only in a message).
                error = {"code": 3, "message": "execution reverted", "data": _revert_data(exc)}
                return {"jsonrpc": "2.0", "id": 0, "error": error}

    def close(self) -> None:
        with self._lock:
            self.backend.close()


def _revert_data(exc: TransactionFailed) -> str:
    """eth-tester's message holds the data as a bytes literal, or an Error(string) reason."""
    message = str(exc.args[0]) if exc.args else ""
    reason = message.removeprefix("execution reverted: ")
    if reason.startswith(("b'", 'b"')):
        try:
            return "0x" + ast.literal_eval(reason).hex()
        except (ValueError, SyntaxError):
            pass
    return "0x" + encode_reason(reason).hex()
