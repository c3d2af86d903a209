"""The national-scale benchmark: a data builder, a bare floor view, and the helpers of `manage.py benchmark`."""
