# Tests: cmocka programs, run by make check.
