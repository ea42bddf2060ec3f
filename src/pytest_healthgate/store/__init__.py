"""State kept in the measured project's .healthgate/ folder."""
