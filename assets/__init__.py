"""The shipped defaults of the hall's reference data; installed as the package ``hallterm._assets``.

Only the wheel needs this file (see pyproject.toml): a hall's own copy of this folder does not.
"""
