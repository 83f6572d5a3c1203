"""Complaints (投诉) and reports (举报): workflow as data, triage rules, statutory deadlines on
China's working-day calendar (pure modules), and the use cases that store and route cases."""
