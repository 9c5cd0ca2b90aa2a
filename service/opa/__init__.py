"""Everything about the Open Policy Agent: finding the binary, running it, talking to it."""
