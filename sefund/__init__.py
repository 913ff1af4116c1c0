"""What people use to work with the platform from outside: the Python client (`sefund.client`)."""
