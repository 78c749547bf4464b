"""Intelligence-Led Prevention Workbench: collect, analyse, share and apply counter-trafficking intelligence."""

__version__ = "0.1.0"
