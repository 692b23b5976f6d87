"""The least gas an attendance can cost on the EVM: what an award batch is measured against
(`bench/gas.py`, and a test that keeps a batch of 100 within 10% of it).

Each new attendee needs a fresh storage slot for the badge balance and another for the token
balance (22,100 each, cold and from zero), the two events wallets read (ERC-1155
TransferSingle: 4 topics and 64 bytes; ERC-20 Transfer: 3 topics and 32 bytes), and the
address in calldata (32 bytes of which 12 are zero).
"""

NEW_SLOT = 22_100
BADGE_FLOOR = NEW_SLOT + 375 + 4 * 375 + 8 * 64  # 24,487
REWARD_FLOOR = NEW_SLOT + 375 + 3 * 375 + 8 * 32  # 23,856
CALLDATA_FLOOR = 12 * 4 + 20 * 16  # 368
ATTENDEE_FLOOR = BADGE_FLOOR + REWARD_FLOOR + CALLDATA_FLOOR  # 48,711
