"""tcptui: poke at TCP servers by hand, and see every byte that comes back."""

__version__ = "0.1.0"
