"""Long lists read a page at a time: which page links to show."""

from __future__ import annotations


def clamp_page(page: int, total: int, size: int) -> tuple[int, int]:
    """(the page to show, how many pages there are) for `total` rows `size` a page: a page past
    the last shows the last, and an empty list has one page."""
    pages = max(1, -(-total // size))
    return min(max(page, 1), pages), pages


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The pages to link to: the first, the last, and those `around` the current one; None
    where pages are skipped (shown as "…")."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:  # type: ignore[operator]
            numbers.append(None)
        numbers.append(number)
    return numbers
