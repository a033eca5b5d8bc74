"""The rating pad (好差评): ``hallterm rate --counter CODE`` on a small screen facing the visitor."""
