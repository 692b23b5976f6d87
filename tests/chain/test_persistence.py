"""The embedded chain keeps its state in one file, across restarts of the object or the process."""

from web3 import Web3

from chain.client import ChainClient
from chain.embedded import EmbeddedChainProvider

from ..support import free_port, start_node


def test_state_survives_reopening_the_chain_file(tmp_path, keys):
    path = tmp_path / "chain.sqlite"
    provider = EmbeddedChainProvider(path, [keys.operator.address])
    client = ChainClient(Web3(provider), keys.operator)
    deployment = client.deploy("http://localhost")
    signed = client.sign(
        client.award_transaction(3, [keys.member_address(1)], 12), client.next_nonce()
    )
    client.send(signed)
    height = client.block_number()
    provider.close()

    reopened = EmbeddedChainProvider(path, [keys.operator.address])
    try:
        client = ChainClient(Web3(reopened), keys.operator, deployment.addresses)
        assert client.block_number() == height
        assert client.token_balance(keys.member_address(1)) == 12
        assert client.badge_balance(keys.member_address(1), 3) == 1
        assert client.receipt(signed.hash)["status"] == 1
        # and it goes on from there: the next nonce, the next block
        client.send(
            client.sign(
                client.award_transaction(3, [keys.member_address(2)], 12), client.next_nonce()
            )
        )
        assert client.block_number() == height + 1
    finally:
        reopened.close()


def test_the_node_process_serves_json_rpc_and_keeps_state_across_restarts(tmp_path, keys):
    path, port = tmp_path / "chain.sqlite", free_port()
    node = start_node(path, keys.operator.address, port)
    try:
        client = ChainClient(Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}")), keys.operator)
        deployment = client.deploy("http://localhost")
        signed = client.sign(
            client.award_transaction(5, [keys.member_address(1)], 7), client.next_nonce()
        )
        client.send(signed)
        assert client.w3.eth.wait_for_transaction_receipt(signed.hash)["status"] == 1
    finally:
        node.terminate()
        node.wait(timeout=10)

    node = start_node(path, keys.operator.address, port)
    try:
        client = ChainClient(
            Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}")), keys.operator, deployment.addresses
        )
        assert client.token_balance(keys.member_address(1)) == 7
        assert client.receipt(signed.hash)["blockNumber"] > 0
    finally:
        node.terminate()
        node.wait(timeout=10)


def test_the_node_refuses_methods_that_rewind_the_chain_and_non_json_posts(tmp_path, keys):
    import json
    import urllib.error
    import urllib.request

    port = free_port()
    node = start_node(tmp_path / "chain.sqlite", keys.operator.address, port)

    def post(body: dict, content_type: str = "application/json"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}", json.dumps(body).encode(), {"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    try:
        call = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
        assert post(call) == (200, {"jsonrpc": "2.0", "id": 1, "result": "0x0"})
        status, answer = post({**call, "method": "evm_revert", "params": ["0x0"]})
        assert answer["error"]["code"] == -32601
        status, answer = post(call, content_type="text/plain")
        assert status == 415
    finally:
        node.terminate()
        node.wait(timeout=10)


def test_old_transactions_and_their_logs_are_found_from_the_chain_file(tmp_path, keys):
    """Receipts and log queries read py-evm's index of transactions by hash (eth-tester would
    walk back through every block for each one): old ones, new ones, after a reopening."""
    path = tmp_path / "chain.sqlite"
    provider = EmbeddedChainProvider(path, [keys.operator.address])
    client = ChainClient(Web3(provider), keys.operator)
    deployment = client.deploy("http://localhost")
    sent = []
    for n in range(1, 6):
        signed = client.sign(
            client.award_transaction(n, [keys.member_address(n)], n), client.next_nonce()
        )
        client.send(signed)
        sent.append(signed.hash)
    provider.close()

    reopened = EmbeddedChainProvider(path, [keys.operator.address])
    try:
        client = ChainClient(Web3(reopened), keys.operator, deployment.addresses)
        receipts = [client.receipt(tx_hash) for tx_hash in sent]
        assert [r["transactionHash"].to_0x_hex() for r in receipts] == sent
        assert len({r["blockNumber"] for r in receipts}) == 5  # one block each, all found
        assert client.w3.eth.get_transaction(sent[0])["from"] == keys.operator.address
        assert sorted(client.awarded_badges()) == sorted(
            (keys.member_address(n), n) for n in range(1, 6)
        )
        assert client.receipt(b"\x00" * 32) is None  # unknown: no receipt, as a node says
    finally:
        reopened.close()
