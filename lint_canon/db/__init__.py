"""The database side: connecting (a URL or an embedded server), the migration runner with its
ledger, and the governance jobs driven batch by batch."""
