"""Batch scoring (issue 17): ``python -m emkit.batch spec.json`` scores a table or a folder of
files with a model version into the input's rows with their predictions, in order.

- ``spec``: spec.json, as the bridge writes it (server-bridge/src/batch-inferences/contract.ts);
- ``inputs``: the input read in order, batch by batch, with each item's key and the items
  that can't be read (an unparseable row, an unreadable file);
- ``scoring``: the model, loaded as an endpoint's worker loads it, called once per batch and
  item by item when a batch raises, to find the bad items;
- ``pool``: one worker in the runner's own process, or N worker processes, results in order;
- ``outputs`` and ``manifest``: predictions appended batch by batch, and the record of each
  finished batch that makes a resumed job score every item exactly once;
- ``run``: the loop, its status.json and its outcome.
"""
