# tests/fault: filled in by its owner.
