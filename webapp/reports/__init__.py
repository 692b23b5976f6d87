"""Reports that read across domains (reconcile; later the town's figures): above every domain."""
