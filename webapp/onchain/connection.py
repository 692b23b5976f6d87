"""The app's way to the chain: its web3 provider, its keyrings and a bound chain client.

Keys live only where transactions are signed. A web process knows the public keyring (the
operator's address and the members' extended public key, from PUBLIC_KEYRING or the file
PUBLIC_KEYRING_FILE) and never reads the master secret: its chain client reads and cannot sign.
The chain worker and the commands that deploy or sign call `load_keyring`, which loads the
master secret and the operator's key into their process and writes the public keyring for the
web processes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from eth_account import Account
from flask import Flask, current_app
from sqlalchemy.orm import Session
from web3 import Web3

from chain.client import ChainClient, ChainError
from chain.wallets import Keyring, PublicKeyring, load_or_create_mnemonic, write_public_keyring
from webapp.config import load_secrets
from webapp.onchain.deployments import addresses_of, get_deployment

RPC_TIMEOUT_SECONDS = 5


def init_chain(app: Flask) -> None:
    """The node's connection; no key (see `load_keyring`), and the public keyring is read when
    first needed (on a first start, setup writes it after the app is made)."""
    provider = app.config["CHAIN_PROVIDER"] or Web3.HTTPProvider(
        app.config["CHAIN_RPC_URL"], request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}
    )
    app.extensions["enishi.web3"] = Web3(provider)


def load_keyring(app: Flask) -> Keyring:
    """For the chain worker and the commands that deploy or sign, never for a web process: the
    master secret (created on a first start) and the operator's key, kept in `app` for this
    process's chain clients; writes the public keyring the web processes read."""
    given = _secrets(app)
    mnemonic = given["MASTER_MNEMONIC"] or load_or_create_mnemonic(app.config["MASTER_SECRET_FILE"])
    keyring = Keyring(mnemonic, operator_key=_minter_key(app, given["MINTER_KEY"]))
    public = keyring.public()
    if app.config["PUBLIC_KEYRING"]:
        # Given to the web processes by the environment: it must be this secret's, or members
        # would get addresses of another wallet and the chain page another operator.
        if PublicKeyring.from_json(app.config["PUBLIC_KEYRING"]) != public:
            raise RuntimeError("ENISHI_PUBLIC_KEYRING is not the master secret's public keyring")
    else:
        write_public_keyring(public_keyring_file(app), public)
    app.extensions["enishi.keyring"] = keyring
    app.extensions["enishi.public_keyring"] = public
    return keyring


def _secrets(app: Flask) -> dict:
    """The environment's secrets; a test's app may give its own in its config."""
    return {name: app.config.get(name) or value for name, value in load_secrets().items()}


def _minter_key(app: Flask, key: str | None) -> str | None:
    """The minter's key from ENISHI_MINTER_KEY, or from an encrypted keystore file and its
    password file; None to derive it from the master secret. Never from the database."""
    if key:
        return key
    keystore = app.config["MINTER_KEYSTORE"]
    if not keystore:
        return None
    password_file = app.config["MINTER_KEYSTORE_PASSWORD_FILE"]
    if not password_file:
        raise RuntimeError("ENISHI_MINTER_KEYSTORE needs ENISHI_MINTER_KEYSTORE_PASSWORD_FILE")
    encrypted = json.loads(Path(keystore).read_text(encoding="utf-8"))
    password = Path(password_file).read_text(encoding="utf-8").rstrip("\n")
    return "0x" + Account.decrypt(encrypted, password).hex()


@dataclass(frozen=True)
class MinterStatus:
    """The minter's account as the administrator's page shows it."""

    address: str
    balance: Decimal  # in ether
    low: bool  # below MINTER_LOW_BALANCE_ETH: soon it cannot pay for gas
    chain_id: int


def get_minter_status(client: ChainClient, low_balance_eth: float) -> MinterStatus:
    wei = client.operator_balance()
    return MinterStatus(
        address=client.operator_address,
        balance=Web3.from_wei(wei, "ether"),
        low=wei < Web3.to_wei(low_balance_eth, "ether"),
        chain_id=client.chain_id,
    )


def max_fee_per_gas(app: Flask | None = None) -> int:
    """ENISHI_MAX_FEE_GWEI in wei per gas."""
    return Web3.to_wei((app or current_app).config["MAX_FEE_GWEI"], "gwei")


def get_public_keyring(app: Flask | None = None) -> PublicKeyring:
    """The operator's address and the members' extended public key: all a web process knows."""
    app = app or current_app
    public = app.extensions.get("enishi.public_keyring")
    if public is None:
        public = _read_public_keyring(app)
        app.extensions["enishi.public_keyring"] = public
    return public


def _read_public_keyring(app: Flask) -> PublicKeyring:
    if app.config["PUBLIC_KEYRING"]:
        return PublicKeyring.from_json(app.config["PUBLIC_KEYRING"])
    path = public_keyring_file(app)
    try:
        return PublicKeyring.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(
            f"{path} is missing: `flask --app webapp enishi setup` (or the worker) writes it from "
            "the master secret; or set ENISHI_PUBLIC_KEYRING"
        ) from None


def public_keyring_file(app: Flask | None = None) -> Path:
    app = app or current_app
    return app.config["PUBLIC_KEYRING_FILE"] or app.config["INSTANCE_DIR"] / "public-keyring.json"


def get_keyring(app: Flask | None = None) -> Keyring:
    """The keys of a process that signs (after `load_keyring`)."""
    keyring = (app or current_app).extensions.get("enishi.keyring")
    if keyring is None:
        raise RuntimeError("this process holds no keys: only the chain worker and setup load them")
    return keyring


def get_chain_client(session: Session, app: Flask | None = None) -> ChainClient:
    """A client for the configured node, bound to the contracts deployed there (if any): one
    that signs in a process that loaded the keyring (the worker's), else one that only reads.

    Raises whatever the node raises when it cannot be reached."""
    app = app or current_app
    keyring = app.extensions.get("enishi.keyring")
    operator = keyring.operator if keyring else get_public_keyring(app).operator_address
    client = ChainClient(app.extensions["enishi.web3"], operator)
    expected = app.config["CHAIN_ID"]
    if expected is not None and client.chain_id != expected:
        raise ChainError(f"the node is chain {client.chain_id}, not ENISHI_CHAIN_ID {expected}")
    deployment = get_deployment(session, client.chain_id)
    if deployment is not None:
        client.addresses = addresses_of(deployment)
        client.deployed_block = deployment.block_number
    return client
