"""Accounts: WeChat mini-program login, session tokens and rate limits."""
