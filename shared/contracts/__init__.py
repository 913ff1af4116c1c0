"""The published language between services: topic names and versioned event payloads.

Producers and consumers both import these models, so a service never imports another service
and the JSON Schema / AsyncAPI documents are generated from the one definition.
Money travels as decimal strings with two decimals, dates as ISO dates.
"""
