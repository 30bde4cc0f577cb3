"""The canon: its model, loading and validation (config), and the globs, host patterns and canon-relative paths it is read with."""
