"""Evidence packs: one self-verifying ZIP of a period of the decision log, and its verifier."""
