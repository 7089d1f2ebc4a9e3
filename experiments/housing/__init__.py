"""The housing template experiment: King County (Seattle) house sale prices from tabular features.

It is the reference layout for tabular experiments; ``psml experiments new`` copies its shape.
"""
