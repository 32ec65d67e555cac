"""The capture store: every byte, in order, exactly."""
