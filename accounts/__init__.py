"""Users and roles, WeChat login, tokens, rate limits, kiosk devices."""
