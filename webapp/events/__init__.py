"""Events: what organisers run, with a time window, a reward and the secret behind its codes."""
