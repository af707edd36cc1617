"""Template mining: masking, the miner, persistence and evaluation metrics."""
