"""The guide's signals and the decision rule (requirements to signal hits to a role), the rules data and its loader."""
