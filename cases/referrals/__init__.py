"""Victim referrals: a presumed victim referred for support, with reflection periods, support
measures and shares."""
