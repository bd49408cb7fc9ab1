"""Sponsor tiers, sponsors, validated logos and the cached sponsor wall.

Above the core, beside microconferences. Complimentary passes belong to registration (they
hold seats); registration adds a sponsor's passes to the sponsor admin."""
