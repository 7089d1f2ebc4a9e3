"""The sentiment template experiment: is an English sentence positive or negative?

It is the reference layout for text experiments; ``psml experiments new`` copies its shape. It
also shows `max_instances` and a per-field size guard on free text.
"""
