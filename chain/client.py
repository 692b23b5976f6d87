"""The chain client: deploys Enishi's contracts and reads and writes them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError

from chain.artifacts import load_artifact
from chain.reverts import Revert, revert_of
from chain.sender import (
    Fees,
    SignedTx,
    complete_transaction,
    fetch_receipt,
    is_known,
    market_fees,
    mined_nonce,
    sign_transaction,
)

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
TOKEN_NAME = "Enishi Community Token"
TOKEN_SYMBOL = "ENS"
CARD_NAME = "Enishi Membership Card"
CARD_SYMBOL = "ENSM"


@dataclass(frozen=True)
class RoleGrant:
    """A role `deploy` grants: on `contract`, to `holder` ("operator" or "badge")."""

    contract: str
    role: str
    holder: str
    used_by: str  # who acts with it: a role nobody acts with is not granted


# Every role the app acts with, each to the one who acts, and no other: the operator cannot mint
# tokens at will (awards mint them through the badge contract). The contracts' constructors also
# give the operator DEFAULT_ADMIN_ROLE, with which `deploy` grants these (and an administrator
# could move them to a new operator key). Contracts deployed before this list keep their grants.
ROLE_GRANTS = (
    RoleGrant("CommunityToken", "MINTER_ROLE", "badge", "ParticipationBadge.award pays rewards"),
    RoleGrant("CommunityToken", "REDEEMER_ROLE", "operator", "redeem jobs burn spent tokens"),
    RoleGrant("ParticipationBadge", "MINTER_ROLE", "operator", "award jobs"),
    RoleGrant("MembershipCard", "ISSUER_ROLE", "operator", "card jobs"),
    RoleGrant("DecisionRecord", "RECORDER_ROLE", "operator", "decision jobs"),
)


class ChainError(Exception):
    """A transaction failed or the node answered something unusable."""


@dataclass(frozen=True)
class ContractAddresses:
    token: str
    badge: str
    card: str
    # None on a chain deployed before the decision record existed, until `deploy_decision_record`
    decision: str | None = None

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Deployment:
    addresses: ContractAddresses
    block_number: int


@dataclass(frozen=True)
class DecisionOnChain:
    """A proposal's result as the decision record holds it: the votes for each option (in the
    proposal's order), the digest of its ballots, and the block that recorded them."""

    tally: tuple[int, ...]
    digest: bytes  # 32 bytes: the keccak256 of the ballots' CSV
    block_number: int


class ChainClient:
    """One node, the operator, and (once deployed) the four contracts.

    Given the operator's account, the client signs (the chain worker's, a deploy's); given only
    its address, it reads and builds transactions but cannot sign (the web app's)."""

    def __init__(
        self,
        w3: Web3,
        operator: LocalAccount | str,
        addresses: ContractAddresses | None = None,
        deployed_block: int = 0,
    ):
        self.w3 = w3
        self.deployed_block = deployed_block  # where to start looking for the contracts' logs
        self._signer = None if isinstance(operator, str) else operator
        self.operator_address: str = operator if isinstance(operator, str) else operator.address
        # Calls need a sender on some nodes (eth-tester has no accounts of its own here).
        self.w3.eth.default_account = self.operator_address
        self.addresses = addresses
        self._chain_id: int | None = None

    @property
    def can_sign(self) -> bool:
        return self._signer is not None

    @property
    def operator(self) -> LocalAccount:
        """The operator's account, with its key: only a signing client has it."""
        if self._signer is None:
            raise ChainError(
                "this chain client has the operator's address only, no key, so it cannot sign: "
                "transactions are signed by the chain worker"
            )
        return self._signer

    # -- reading ---------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:  # a node's chain never changes under one client
            self._chain_id = self.w3.eth.chain_id
        return self._chain_id

    def block_number(self) -> int:
        return self.w3.eth.block_number

    def token_balance(self, member: str) -> int:
        return (
            self._contract("CommunityToken", self._bound().token).functions.balanceOf(member).call()
        )

    def badge_balance(self, member: str, event_id: int) -> int:
        badge = self._contract("ParticipationBadge", self._bound().badge)
        return badge.functions.balanceOf(member, event_id).call()

    def has_card(self, member: str) -> bool:
        card = self._contract("MembershipCard", self._bound().card)
        return card.functions.balanceOf(member).call() > 0

    def read_decision(self, proposal_id: int) -> DecisionOnChain | None:
        """The result recorded for `proposal_id`, or None while none is (or where the decision
        record is not deployed: nothing can be recorded there)."""
        if self._bound().decision is None:
            return None
        record = self._contract("DecisionRecord", self._bound().decision)
        tally, digest, recorded_at = record.functions.decisionOf(proposal_id).call()
        if recorded_at == 0:
            return None
        return DecisionOnChain(tally=tuple(tally), digest=bytes(digest), block_number=recorded_at)

    def receipt(self, tx_hash: str):
        return fetch_receipt(self.w3, tx_hash)

    def is_known(self, tx_hash: str) -> bool:
        return is_known(self.w3, tx_hash)

    def revert_reason(self, tx_hash: str, receipt) -> Revert:
        """Why a mined transaction reverted: it ran out of gas, or the error its call raises
        when replayed on the state before its block."""
        tx = self.w3.eth.get_transaction(tx_hash)
        if receipt["gasUsed"] >= tx["gas"]:
            return Revert("OutOfGas", {"gas": tx["gas"]})
        call = {key: tx[key] for key in ("from", "to", "gas", "value")} | {"data": tx["input"]}
        try:
            self.w3.eth.call(call, receipt["blockNumber"] - 1)
        except ContractLogicError as exc:
            return revert_of(exc)
        except Exception as exc:  # e.g. a node that no longer keeps that block's state
            return Revert("unknown", {"message": f"cannot replay: {exc}"[:300]})
        return Revert("unknown", {"message": "the call succeeds when replayed"})

    def awarded_badges(self) -> list[tuple[str, int]]:
        """(member, event id) of every badge minted since the contracts were deployed."""
        badge = self._contract("ParticipationBadge", self._bound().badge)
        logs = badge.events.TransferSingle().get_logs(
            argument_filters={"from": ZERO_ADDRESS}, from_block=self.deployed_block
        )
        return [(log["args"]["to"], log["args"]["id"]) for log in logs]

    def token_holders(self) -> set[str]:
        """Every address that has received community tokens since the contracts were deployed."""
        token = self._contract("CommunityToken", self._bound().token)
        logs = token.events.Transfer().get_logs(from_block=self.deployed_block)
        return {log["args"]["to"] for log in logs if log["args"]["to"] != ZERO_ADDRESS}

    def card_holders(self) -> set[str]:
        """Every address that holds a membership card now."""
        card = self._contract("MembershipCard", self._bound().card)
        logs = card.events.Transfer().get_logs(
            argument_filters={"from": ZERO_ADDRESS}, from_block=self.deployed_block
        )
        return {member for member in {log["args"]["to"] for log in logs} if self.has_card(member)}

    def recorded_decisions(self) -> list[int]:
        """The proposal ids of every decision recorded since the contracts were deployed ([]
        where the decision record is not deployed)."""
        if self._bound().decision is None:
            return []
        record = self._contract("DecisionRecord", self._bound().decision)
        logs = record.events.DecisionRecorded().get_logs(from_block=self.deployed_block)
        return sorted({log["args"]["proposalId"] for log in logs})

    def operator_balance(self) -> int:
        """The operator's balance in wei: what is left to pay gas with."""
        return self.w3.eth.get_balance(self.operator_address)

    def find_card_issue(
        self, member: str, from_block: int = 0
    ) -> tuple[str | None, int | None] | None:
        """(transaction hash, block) that minted `member`'s current card, if it holds one;
        (None, None) if the node keeps no log of the mint (see `_done_without_log`)."""
        card = self._contract("MembershipCard", self._bound().card)
        if card.functions.balanceOf(member).call() == 0:
            return None
        logs = card.events.Transfer().get_logs(
            argument_filters={"from": ZERO_ADDRESS, "to": member}, from_block=from_block
        )
        if not logs:
            return _done_without_log()
        last = logs[-1]
        return Web3.to_hex(last["transactionHash"]), last["blockNumber"]

    def find_card_revocation(
        self, member: str, from_block: int = 0
    ) -> tuple[str | None, int | None] | None:
        """(transaction hash, block) that burned `member`'s card, if it holds none; (None,
        None) if the node keeps no log of the burn (or the card was never minted). Ask only
        once the card's mint is settled: a card not yet minted is not held either."""
        card = self._contract("MembershipCard", self._bound().card)
        if card.functions.balanceOf(member).call() > 0:
            return None
        logs = card.events.Transfer().get_logs(
            argument_filters={"from": member, "to": ZERO_ADDRESS}, from_block=from_block
        )
        if not logs:
            return _done_without_log()
        last = logs[-1]
        return Web3.to_hex(last["transactionHash"]), last["blockNumber"]

    def find_redemption(
        self, ref: bytes, from_block: int = 0
    ) -> tuple[str | None, int | None] | None:
        """(transaction hash, block) that burned the redemption `ref`, if one did; (None, None)
        if the node keeps no log of the burn (see `_done_without_log`)."""
        token = self._contract("CommunityToken", self._bound().token)
        if not token.functions.redeemed(ref).call():
            return None
        logs = token.events.Redeemed().get_logs(
            argument_filters={"ref": ref}, from_block=from_block
        )
        if not logs:
            return _done_without_log()
        return Web3.to_hex(logs[-1]["transactionHash"]), logs[-1]["blockNumber"]

    def find_decision(self, proposal_id: int, from_block: int = 0) -> tuple[str | None, int] | None:
        """(transaction hash, block) that recorded `proposal_id`'s result, if one did; the hash
        is None if the node keeps no log of it (see `_done_without_log`), the block is the one
        the contract noted."""
        decision = self.read_decision(proposal_id)
        if decision is None:
            return None
        record = self._contract("DecisionRecord", self._bound().decision)
        logs = record.events.DecisionRecorded().get_logs(
            argument_filters={"proposalId": proposal_id}, from_block=from_block
        )
        if not logs:
            return None, decision.block_number
        return Web3.to_hex(logs[-1]["transactionHash"]), logs[-1]["blockNumber"]

    def next_nonce(self) -> int:
        """The operator's next nonce counting its transactions waiting in the node's pool."""
        return self.w3.eth.get_transaction_count(self.operator_address, "pending")

    def mined_nonce(self) -> int:
        return mined_nonce(self.w3, self.operator_address)

    # -- writing ---------------------------------------------------------------------------

    def deploy(self, metadata_base: str) -> Deployment:
        """Deploys the four contracts and grants the roles of `ROLE_GRANTS`.
        Wallets find the tokens' metadata under `metadata_base`: a badge at
        `badges/{id}.json` (ERC-1155's hex id), a card at `cards/<token id>`."""
        metadata_base = metadata_base.rstrip("/")
        badge_uri = f"{metadata_base}/badges/{{id}}.json"
        card_base = f"{metadata_base}/cards/"
        admin = self.operator.address
        nonce = self.next_nonce()
        token = self._deploy_one("CommunityToken", (TOKEN_NAME, TOKEN_SYMBOL, admin), nonce)
        badge = self._deploy_one("ParticipationBadge", (badge_uri, admin, token), nonce + 1)
        card = self._deploy_one(
            "MembershipCard", (CARD_NAME, CARD_SYMBOL, card_base, admin), nonce + 2
        )
        decision = self._deploy_one("DecisionRecord", (admin,), nonce + 3)
        self.addresses = ContractAddresses(token=token, badge=badge, card=card, decision=decision)
        self.deployed_block = self.block_number()
        last = self._grant_roles(ROLE_GRANTS, nonce + 4)
        return Deployment(addresses=self.addresses, block_number=last["blockNumber"])

    def deploy_decision_record(self) -> str:
        """Deploys the decision record beside contracts deployed before it existed, grants its
        roles, and binds this client to it; returns its address."""
        addresses = self._bound()
        nonce = self.next_nonce()
        decision = self._deploy_one("DecisionRecord", (self.operator.address,), nonce)
        self.addresses = ContractAddresses(**(addresses.as_dict() | {"decision": decision}))
        grants = tuple(grant for grant in ROLE_GRANTS if grant.contract == "DecisionRecord")
        self._grant_roles(grants, nonce + 1)
        return decision

    def _grant_roles(self, grants: tuple[RoleGrant, ...], nonce: int):
        """Grants `grants` with consecutive nonces from `nonce`; the last receipt."""
        addresses = self._bound()
        contracts = {
            "CommunityToken": addresses.token,
            "ParticipationBadge": addresses.badge,
            "MembershipCard": addresses.card,
            "DecisionRecord": addresses.decision,
        }
        holders = {"operator": self.operator.address, "badge": addresses.badge}
        last = None
        for offset, grant in enumerate(grants):
            contract = self._contract(grant.contract, contracts[grant.contract])
            role_id = getattr(contract.functions, grant.role)().call()
            tx = self._unsigned(contract.functions.grantRole(role_id, holders[grant.holder]))
            last = self._send_and_wait(self.sign(tx, nonce + offset))
        return last

    def award_transaction(self, event_id: int, members: list[str], reward_each: int) -> dict:
        """The transaction that awards the event's badge and reward to `members`, unsigned;
        raises (a `ContractLogicError`, see chain.reverts) if it would revert now."""
        badge = self._contract("ParticipationBadge", self._bound().badge)
        return self._unsigned(badge.functions.award(event_id, members, reward_each))

    def redeem_transaction(self, member: str, amount: int, ref: bytes) -> dict:
        """The transaction that burns `amount` of `member`'s tokens for the redemption `ref`."""
        token = self._contract("CommunityToken", self._bound().token)
        return self._unsigned(token.functions.redeem(member, amount, ref))

    def card_transaction(self, member: str) -> dict:
        card = self._contract("MembershipCard", self._bound().card)
        return self._unsigned(card.functions.issue(member))

    def card_revocation_transaction(self, member: str) -> dict:
        """The transaction that burns `member`'s card, unsigned; raises if it would revert
        now (the member holds no card: `ERC721NonexistentToken`)."""
        card = self._contract("MembershipCard", self._bound().card)
        return self._unsigned(card.functions.revoke(member))

    def decision_transaction(self, proposal_id: int, tally: tuple[int, ...], digest: bytes) -> dict:
        """The transaction that records a proposal's result, unsigned; raises if it would
        revert now (`DecisionAlreadyRecorded` once a result is on record), or a `ChainError`
        where the decision record is not deployed."""
        if self._bound().decision is None:
            raise ChainError(
                "the decision record is not deployed on this chain: `flask --app webapp enishi "
                "deploy` adds it"
            )
        record = self._contract("DecisionRecord", self._bound().decision)
        return self._unsigned(record.functions.record(proposal_id, list(tally), digest))

    def sign(self, tx: dict, nonce: int, fees: Fees | None = None) -> SignedTx:
        """Signs a transaction from `award_transaction` or `card_transaction` (without `fees`,
        at the market's: a question to the node)."""
        return sign_transaction(self.operator, tx, nonce, fees or self.market_fees())

    def market_fees(self) -> Fees:
        return market_fees(self.w3)

    def send(self, signed: SignedTx) -> str:
        return self.send_raw(signed.raw)

    def send_raw(self, raw: bytes) -> str:
        return Web3.to_hex(self.w3.eth.send_raw_transaction(raw))

    # -- internals -------------------------------------------------------------------------

    def _bound(self) -> ContractAddresses:
        if self.addresses is None:
            raise ChainError("contracts are not deployed")
        return self.addresses

    def _contract(self, name: str, address: str):
        return self.w3.eth.contract(address=address, abi=load_artifact(name)["abi"])

    def _unsigned(self, call) -> dict:
        # Every field web3 would ask the node for is given, so the node is asked once, for gas.
        placeholders = {"gas": 0, "nonce": 0, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
        draft = call.build_transaction(
            {"from": self.operator_address, "chainId": self.chain_id, **placeholders}
        )
        return complete_transaction(self.w3, self.operator_address, draft)

    def _deploy_one(self, name: str, args: tuple, nonce: int) -> str:
        artifact = load_artifact(name)
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self._send_and_wait(self.sign(self._unsigned(factory.constructor(*args)), nonce))
        return receipt["contractAddress"]

    def _send_and_wait(self, signed: SignedTx):
        self.send(signed)
        receipt = self.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=120)
        if receipt["status"] != 1:
            raise ChainError(f"transaction {signed.hash} reverted")
        return receipt


def _done_without_log() -> tuple[None, None]:
    """The contract's state says it is done, but the node has no log of the transaction that
    did it: its history was pruned, or it was restored from a state dump (anvil's `--state`).
    The state is what counts; sending it again would only be refused."""
    return None, None
