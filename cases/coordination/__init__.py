"""Coordination cases: a case owned by one agency, its shares, personal grants, break-the-glass
and the access reviews that follow."""
