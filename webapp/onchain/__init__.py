"""On-chain: the deployed contracts and the queue of chain jobs the worker mints from."""
