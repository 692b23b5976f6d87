"""The public page's rules for small numbers, so that no single person can be picked out of a
figure, a split cell or a month of a chart. Every figure of the public page goes through
`suppress`; the members' page never does.

1. Primary: a count below 5 (0 to 4) is not shown (「5 未満」); a coin amount is not shown
   when fewer than 5 people made it (a shop's coins: fewer than 5 people used tickets there).
2. Secondary, for every group whose parts add up to a figure also shown (a row's areas and
   its total; first-timers and returning participants and the participants; a period's
   months in a chart and the period's figure; the shops' coins and the coins spent at shops):
   when exactly one cell of the group is hidden, the smallest other shown part is hidden too,
   or the total when no other part is shown. A cell may be in several groups, so the rule is
   applied until no group has exactly one hidden cell: the hidden cell can no longer be read
   back as the total minus the shown parts. A figure hidden by this rule is `WITHHELD`
   (shown as 「非表示」, not as 「5 未満」, which would be untrue).

What it does not protect against, honestly:
- Differences between different periods: a year minus the months shown on the pages of its
  months, a season minus its months read one by one, the page read again after the month
  under way has grown. The public page offers no custom run of months (two overlapping runs
  would be one subtraction away from any month), only a month, a season or a year, but a year
  and its twelve month pages are still one subtraction apart; the primary rule alone is all
  that stands between those.
- The sum of the cells hidden in a group is known (total minus the shown parts), and so are
  their bounds (a 「5 未満」 is 0 to 4): two hidden cells summing to 8 are 4 and 4.
- It is not a full audit of every linear combination of every figure on the page; it closes
  the subtractions a reader can do within one table, chart or headline."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Final

MASK_BELOW = 5


class Withheld:
    """A figure hidden only so that another hidden figure cannot be worked out from it."""

    _instance: Withheld | None = None

    def __new__(cls) -> Withheld:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD: Final = Withheld()

# What the public may see of a figure: the number, None (primary: 「5 未満」) or WITHHELD.
Value = int | None | Withheld


def masked(count: int | None) -> int | None:
    """`count` as the public may see it: None (shown as 「5 未満」) when it is below 5."""
    if count is None or count < MASK_BELOW:
        return None
    return count


def few(count: int | None) -> bool:
    """Whether a count, or the number of people behind a figure, is too small to show."""
    return masked(count) is None


def shown(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# A group: (its total's key, its parts' keys); the parts add up to the total.
Group = tuple[Hashable, Sequence[Hashable]]


def suppress(
    values: Mapping[Hashable, int], hidden: Iterable[Hashable], groups: Iterable[Group]
) -> dict[Hashable, Value]:
    """Every cell as the public may see it. `values`: every cell's true number; `hidden`: the
    cells the primary rule hides (None); `groups`: the sums the page shows. A cell the group
    rule hides as well becomes WITHHELD. The order of `groups` and of their parts decides
    between equal smallest parts, so the same data always hide the same cells."""
    primary = set(hidden)
    out: set[Hashable] = set(primary)
    groups = [(total, list(parts)) for total, parts in groups]
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            cells = [total, *parts]
            # A hidden 0 covers nothing when the reader can know it is 0 (a month not yet
            # begun, or before the community started): the one hidden cell that is not 0
            # needs a second one as much as a lone hidden cell does.
            hidden_cells = [cell for cell in cells if cell in out]
            if len(hidden_cells) != 1 and sum(values[c] > 0 for c in hidden_cells) != 1:
                continue
            others = [part for part in parts if part not in out and values[part] > 0]
            if others:
                out.add(min(others, key=lambda part: values[part]))
            elif total not in out:
                out.add(total)
            else:
                continue  # a group with no parts: its total alone, already hidden
            changed = True
    return {
        key: None if key in primary else WITHHELD if key in out else value
        for key, value in values.items()
    }


def mask_group(
    parts: Sequence[int], total: int, *, hidden: Sequence[bool] | None = None,
    total_hidden: bool | None = None,
) -> tuple[list[Value], Value]:  # fmt: skip
    """One group on its own: its parts and total as the public may see them. By default a
    part or the total is hidden when below 5; `hidden` / `total_hidden` say otherwise (coins:
    hidden when fewer than 5 people made them)."""
    hidden = [few(part) for part in parts] if hidden is None else list(hidden)
    total_hidden = few(total) if total_hidden is None else total_hidden
    values: dict[Hashable, int] = {("part", i): part for i, part in enumerate(parts)}
    values["total"] = total
    primary = [("part", i) for i, flag in enumerate(hidden) if flag]
    if total_hidden:
        primary.append("total")
    out = suppress(values, primary, [("total", [("part", i) for i in range(len(parts))])])
    return [out[("part", i)] for i in range(len(parts))], out["total"]
