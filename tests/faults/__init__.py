"""The fault suite: real processes (web, worker, signing server) killed with SIGKILL mid-operation.

``stack`` starts and kills the processes, ``operations`` drives one user operation over HTTP,
``invariants`` checks the database and blob store afterwards and ``trials`` ties them into
randomised trials (run in bounded form by ``test_kill_trials`` and at scale by
``python -m tests.perf.fault_trials``).
"""
