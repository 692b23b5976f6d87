"""Who a member says they are: where they live (市内 / 県内 / 県外, with its history), and an
opt-in profile (an introduction, skills and interests) that others see only as the member
chose: private (the default), members, or public."""
