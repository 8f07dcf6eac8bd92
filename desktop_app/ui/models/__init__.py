"""Table models: immutable rows behind every QTableView in the app."""
