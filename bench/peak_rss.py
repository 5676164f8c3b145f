#!/usr/bin/python3
"""peak_rss.py CMD... - runs CMD (output discarded) and prints its peak
resident set size in KiB (getrusage of the child, ru_maxrss)."""
import resource
import subprocess
import sys

r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if r.returncode:
    sys.exit(f"peak_rss: {sys.argv[1]} exited {r.returncode}")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
