"""Public tips: the open form, the coordinators' triage, and the links from a tip to an employer."""
