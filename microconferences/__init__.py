"""Microconferences with structured topics (groups and ordered topics) and their leads.

Above the core, beside sponsors; the CFP and registration build on it (an MC's own track,
its complimentary passes) without it knowing them."""
