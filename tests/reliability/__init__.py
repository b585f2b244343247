"""Reliability and security runs (issue 7): faults, crash, bad input, schemas, secrets, load."""
