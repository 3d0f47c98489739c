"""Resource usage of the processes the bridge starts, for the bridge only (``python -m emkit.usage``).

The bridge runs one of these in its own Python and talks to it through its pipes alone: it
writes the processes to watch to its stdin (JSON lines), and reads one JSON line per sampling
round from its stdout. Each watched process is counted with its children (a training rank's
data loaders, a batch runner's scoring workers).

- ``sampler``: CPU %, resident memory, threads and open files of a process tree (psutil);
- ``gpu``: GPU use and memory per process from NVML (``nvidia-ml-py``), where there is an
  NVIDIA GPU and the library; otherwise nothing, and the GPU fields are null;
- ``protocol``: the lines read and written (``__main__`` runs it);
- ``pushed``: the same samples taken on a Ray cluster's node, by a rank or a Serve replica of
  its own process, and pushed to the bridge (which can't see the node's processes).
"""
