"""Gas of one award transaction (badge + reward) by batch size, on the embedded chain.

    .venv/bin/python bench/gas.py

Prints a table: gas per attendee, split into badge and reward, beside the floor of each
(`chain/floor.py`: a new balance slot and its event each, plus the address in calldata).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from web3 import Web3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chain.client import ChainClient  # noqa: E402
from chain.embedded import EmbeddedChainProvider  # noqa: E402
from chain.floor import ATTENDEE_FLOOR, BADGE_FLOOR, CALLDATA_FLOOR, REWARD_FLOOR  # noqa: E402
from chain.wallets import Keyring  # noqa: E402

MNEMONIC = "test test test test test test test test test test test junk"
SIZES = (1, 10, 100, 500)


def award_gas(client: ChainClient, event_id: int, members: list[str], reward: int) -> int:
    signed = client.sign(client.award_transaction(event_id, members, reward), client.next_nonce())
    client.send(signed)
    return client.receipt(signed.hash)["gasUsed"]


def main() -> None:
    keys = Keyring(MNEMONIC)
    with tempfile.TemporaryDirectory() as folder:
        provider = EmbeddedChainProvider(Path(folder) / "chain.sqlite", [keys.operator.address])
        client = ChainClient(Web3(provider), keys.operator)
        client.deploy("http://localhost")
        print("Gas per attendee of one award transaction (badge + reward), embedded chain")
        print("badge: the same batch with no reward (calldata included); reward: the difference")
        print(
            f"floors: badge {BADGE_FLOOR} + calldata {CALLDATA_FLOOR}, reward {REWARD_FLOOR},"
            f" attendee {ATTENDEE_FLOOR}"
        )
        print(
            f"{'batch':>6} {'total gas':>10} {'/attendee':>10} {'badge':>7} {'/floor':>7}"
            f" {'reward':>7} {'/floor':>7} {'all/floor':>9}"
        )
        addresses = iter(keys.member_address(i) for i in range(1, 1 + 2 * sum(SIZES)))
        for event_id, size in enumerate(SIZES, start=1):
            badge_only = award_gas(
                client, 1000 + event_id, [next(addresses) for n in range(size)], 0
            )
            total = award_gas(client, event_id, [next(addresses) for n in range(size)], 10)
            per, badge = total / size, badge_only / size
            reward = per - badge
            print(
                f"{size:>6} {total:>10} {per:>10.0f} {badge:>7.0f}"
                f" {badge / (BADGE_FLOOR + CALLDATA_FLOOR):>7.2f} {reward:>7.0f}"
                f" {reward / REWARD_FLOOR:>7.2f} {per / ATTENDEE_FLOOR:>9.2f}"
            )
        print("(for comparison, a POAP mint costs about 170k gas)")
        provider.close()


if __name__ == "__main__":
    main()
