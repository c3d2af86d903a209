"""Rules of the checklists: pure functions and constants, no reads and no writes."""
