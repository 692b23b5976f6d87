"""Gas of one award transaction (badge + reward) by batch size, on the embedded chain.

    .venv/bin/python bench/gas.py

Prints a table; the floor per attendee is about 24.5k (badge balance slot + event) plus about
24k (a new holder's token balance + event) plus calldata.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chain.client import ChainClient  # noqa: E402
from chain.embedded import EmbeddedChainProvider  # noqa: E402
from chain.wallets import Keyring  # noqa: E402

MNEMONIC = "test test test test test test test test test test test junk"
SIZES = (1, 10, 100)
FLOOR_PER_ATTENDEE = 24_500 + 24_000


def main() -> None:
    keys = Keyring(MNEMONIC)
    with tempfile.TemporaryDirectory() as folder:
        provider = EmbeddedChainProvider(Path(folder) / "chain.sqlite", [keys.operator.address])
        client = ChainClient(Web3(provider), keys.operator)
        client.deploy("http://localhost/badges/{id}.json")
        print(f"{'batch':>6} {'gas':>10} {'gas/attendee':>13} {'floor':>8} {'ratio':>6}")
        next_index = 1
        for event_id, size in enumerate(SIZES, start=1):
            members = [keys.member_address(i) for i in range(next_index, next_index + size)]
            next_index += size
            signed = client.prepare_award(event_id, members, 10, client.next_nonce())
            client.send(signed)
            gas = client.receipt(signed.hash)["gasUsed"]
            per, floor = gas / size, FLOOR_PER_ATTENDEE
            print(f"{size:>6} {gas:>10} {per:>13.0f} {floor:>8} {per / floor:>6.2f}")
        provider.close()


if __name__ == "__main__":
    main()
