import sys
from pathlib import Path

# test the source, not the copy the wheel installed into .venv
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
