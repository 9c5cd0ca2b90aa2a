"""Impact analysis: which stored decisions a candidate policy (or a later date) would flip."""
