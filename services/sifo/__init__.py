"""SIFO (Sociaal Investeringsfonds): recognised financiers, drawing rights, co-financed loans."""
