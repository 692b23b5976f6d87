"""The decision record: a proposal's tally and the digest of its ballots, written once by the
recorder, read back by anyone."""

from eth_utils import keccak
from web3 import Web3
from web3.logs import DISCARD

from chain.client import ChainClient, DecisionOnChain

from .conftest import fund, mined
from .test_contracts import contract, refused

PROPOSAL = 12
BALLOTS = keccak(text="ballot,option\n1,yes\n2,no\n3,yes\n")


def record(client, proposal=PROPOSAL, tally=(2, 1, 0), digest=BALLOTS):
    unsigned = client.decision_transaction(proposal, tally, digest)
    return mined(client, client.sign(unsigned, client.next_nonce()))


def test_a_recorded_decision_reads_back_with_its_block(client):
    assert client.read_decision(PROPOSAL) is None
    receipt = record(client)
    assert receipt["status"] == 1
    assert client.read_decision(PROPOSAL) == DecisionOnChain(
        tally=(2, 1, 0), digest=BALLOTS, block_number=receipt["blockNumber"]
    )
    assert client.read_decision(PROPOSAL + 1) is None  # another proposal: nothing recorded
    tally, digest, recorded_at = (
        contract(client, "DecisionRecord").functions.decisionOf(PROPOSAL).call()
    )
    assert (tally, digest, recorded_at) == ([2, 1, 0], BALLOTS, receipt["blockNumber"])


def test_recording_emits_the_tally_and_the_digest(client):
    receipt = record(client, tally=(5, 3))
    logs = (
        contract(client, "DecisionRecord")
        .events.DecisionRecorded()
        .process_receipt(receipt, errors=DISCARD)
    )
    assert [dict(log["args"]) for log in logs] == [
        {"proposalId": PROPOSAL, "tally": [5, 3], "ballotsDigest": BALLOTS}
    ]
    assert client.find_decision(PROPOSAL, client.deployed_block) == (
        Web3.to_hex(receipt["transactionHash"]),
        receipt["blockNumber"],
    )
    assert client.find_decision(PROPOSAL + 1) is None


def test_a_result_is_recorded_once_and_cannot_be_changed(client, keys):
    record(client, tally=(2, 1, 0))
    record_contract = contract(client, "DecisionRecord")
    changed = (PROPOSAL, [0, 1, 2], keccak(text="other ballots"))
    error = refused(client, client.operator, record_contract, "record", *changed)
    assert error == "DecisionAlreadyRecorded"
    same_again = (PROPOSAL, [2, 1, 0], BALLOTS)
    assert refused(client, client.operator, record_contract, "record", *same_again) == (
        "DecisionAlreadyRecorded"
    )
    assert client.read_decision(PROPOSAL).tally == (2, 1, 0)
    assert client.read_decision(PROPOSAL).digest == BALLOTS


def test_only_the_recorder_records(client, keys):
    stranger = keys.member_account(1)
    fund(client, stranger.address)
    record_contract = contract(client, "DecisionRecord")
    args = (PROPOSAL, [9, 0], BALLOTS)
    error = refused(client, stranger, record_contract, "record", *args)
    assert error == "AccessControlUnauthorizedAccount"
    assert client.read_decision(PROPOSAL) is None


def test_the_web_apps_client_reads_a_decision(client, keys):
    receipt = record(client)
    reader = ChainClient(
        Web3(client.w3.provider), keys.operator.address, client.addresses, client.deployed_block
    )
    assert reader.can_sign is False
    assert reader.read_decision(PROPOSAL).block_number == receipt["blockNumber"]
    assert reader.find_decision(PROPOSAL, reader.deployed_block)[1] == receipt["blockNumber"]


def test_contracts_deployed_before_the_record_get_it_added(provider, keys):
    """A chain deployed before the decision record existed (its client knows three contracts)
    gets the record deployed beside them, with the recorder's role for the operator."""
    client = ChainClient(Web3(provider), keys.operator)
    client.deploy("http://localhost")
    client.addresses = type(client.addresses)(
        token=client.addresses.token, badge=client.addresses.badge, card=client.addresses.card
    )
    assert client.read_decision(PROPOSAL) is None
    address = client.deploy_decision_record()
    assert client.addresses.decision == address and client.w3.eth.get_code(address)
    record(client, tally=(1, 1))
    assert client.read_decision(PROPOSAL).tally == (1, 1)
