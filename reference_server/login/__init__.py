"""Login flows that complete in the background."""
