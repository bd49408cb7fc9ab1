"""Registration, the top layer: attendance kinds, the priority waitlist and its offers,
complimentary passes, and the seat ledger that keeps every kind from overselling.

It reads the lower apps (accepted speakers, MC leads, sponsors and MCs as pass issuers) and
nothing reads it."""
