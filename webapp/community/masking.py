"""The public page's one rule for small numbers: a count below 5 (0 to 4) is not shown, so that
no single person can be picked out of a figure, a split cell or a month of a chart. Every
figure of the public page goes through `masked`; the members' page never does."""

from __future__ import annotations

MASK_BELOW = 5


def masked(count: int | None) -> int | None:
    """`count` as the public may see it: None (shown as 「5 未満」) when it is below 5."""
    if count is None or count < MASK_BELOW:
        return None
    return count
