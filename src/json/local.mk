# src/json: filled in by its owner.
