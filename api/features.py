"""The features this service is made of, in dependency order (a feature's parts may use the
parts of those before it). Adding a feature: write its package with a ``register`` function
(see ``core.features``) and add one line here."""

from __future__ import annotations

import accounts.feature
import complaints.feature
import profiles.feature
import search.feature
import tracing.feature

FEATURES = (
    search.feature.register,
    tracing.feature.register,
    accounts.feature.register,
    complaints.feature.register,
    profiles.feature.register,
)
