"""Energy loans: the EUR 5 M yearly budget, calls, applications and cheap loans for PV, heat pumps, solar boilers."""
