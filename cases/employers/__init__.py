"""Employers: the registry of organisations the network meets, keyed by organisation number."""
