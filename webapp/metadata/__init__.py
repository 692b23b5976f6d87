"""Token metadata: the ERC-1155 badges' and ERC-721 membership cards' public JSON and images,
which wallet apps fetch from the URIs the contracts give (see chain.client.ChainClient.deploy)."""
