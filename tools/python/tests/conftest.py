import os
import sys

# Make `lmshard_reader` importable when pytest runs from the repository root or tools/python.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
