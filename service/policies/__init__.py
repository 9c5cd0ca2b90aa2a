"""The policy side as the service sees it: what goes into OPA, what comes back."""
