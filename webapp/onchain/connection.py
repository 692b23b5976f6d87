"""The app's way to the chain: its keyring, its web3 provider and a bound chain client."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session
from web3 import Web3

from chain.client import ChainClient
from chain.wallets import Keyring, load_or_create_mnemonic
from webapp.onchain.services import addresses_of, get_deployment

RPC_TIMEOUT_SECONDS = 5


def init_chain(app: Flask) -> None:
    mnemonic = app.config["MASTER_MNEMONIC"] or load_or_create_mnemonic(
        app.config["MASTER_SECRET_FILE"]
    )
    app.extensions["enishi.keyring"] = Keyring(mnemonic, operator_key=app.config["MINTER_KEY"])
    provider = app.config["CHAIN_PROVIDER"] or Web3.HTTPProvider(
        app.config["CHAIN_RPC_URL"], request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}
    )
    app.extensions["enishi.web3"] = Web3(provider)


def get_keyring(app: Flask | None = None) -> Keyring:
    return (app or current_app).extensions["enishi.keyring"]


def get_chain_client(session: Session, app: Flask | None = None) -> ChainClient:
    """A client for the configured node, bound to the contracts deployed there (if any).

    Raises whatever the node raises when it cannot be reached."""
    app = app or current_app
    client = ChainClient(app.extensions["enishi.web3"], get_keyring(app).operator)
    deployment = get_deployment(session, client.chain_id)
    if deployment is not None:
        client.addresses = addresses_of(deployment)
        client.deployed_block = deployment.block_number
    return client
