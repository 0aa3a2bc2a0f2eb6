"""Accounts: users and roles, password hashing and policy, login throttling, API tokens."""
