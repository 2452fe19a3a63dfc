# tests/interop: filled in by its owner.
