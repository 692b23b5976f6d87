"""Deployments: where Enishi's contracts live on each chain (the only writer of their table)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chain.client import ChainClient, ContractAddresses
from webapp.onchain.models import Deployment


def get_deployment(session: Session, chain_id: int) -> Deployment | None:
    return session.scalar(select(Deployment).where(Deployment.chain_id == chain_id))


def get_current_deployment(session: Session, chain_id: int | None) -> Deployment | None:
    """The deployment of chain `chain_id` (ENISHI_CHAIN_ID), or with none configured the latest
    one: the app works on one chain at a time, and a chain reset under it replaces its row."""
    if chain_id is not None:
        return get_deployment(session, chain_id)
    return session.scalar(select(Deployment).order_by(Deployment.id.desc()).limit(1))


def addresses_of(deployment: Deployment) -> ContractAddresses:
    return ContractAddresses(
        token=deployment.token_address,
        badge=deployment.badge_address,
        card=deployment.card_address,
        decision=deployment.decision_address,
    )


def deploy_contracts(
    session: Session, client: ChainClient, metadata_base: str
) -> tuple[Deployment, bool]:
    """Deploys the contracts unless this chain has them; returns (deployment, newly_deployed).
    Contracts deployed before the decision record existed get it added beside them (not a new
    deployment: their tokens, badges and cards stay where they are)."""
    chain_id = client.chain_id
    existing = get_deployment(session, chain_id)
    if existing is not None and client.w3.eth.get_code(existing.badge_address):
        client.addresses = addresses_of(existing)
        client.deployed_block = existing.block_number
        decision = existing.decision_address
        if decision is None or not client.w3.eth.get_code(decision):
            existing.decision_address = client.deploy_decision_record()
            session.flush()
        return existing, False
    if existing is not None:  # the chain was reset under us: its record no longer holds
        session.delete(existing)
        session.flush()
    result = client.deploy(metadata_base)
    deployment = Deployment(
        chain_id=chain_id,
        token_address=result.addresses.token,
        badge_address=result.addresses.badge,
        card_address=result.addresses.card,
        decision_address=result.addresses.decision,
        block_number=result.block_number,
    )
    session.add(deployment)
    session.flush()
    return deployment, True
