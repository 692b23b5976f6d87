"""ありがとう: members thank each other from a monthly allowance of points, and, when the community
chooses, a month's pool of coins is shared out in proportion to the thanks received."""
