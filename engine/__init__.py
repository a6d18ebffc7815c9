"""The stand-in for the Pulumi engine, used by the tests, the preview and the drill.

* :mod:`engine.plan`: run the program under Pulumi mocks and record what it declares
  (:func:`~engine.plan.record_plan`, :class:`~engine.plan.Plan`);
* :mod:`engine.mocks`: the mocks (outputs shaped like AWS's) and the recording monitor;
* :mod:`engine.recorder`: the subprocess that runs the program (``python -m engine.recorder``);
* :mod:`engine.config`: stack config as the Pulumi CLI's language host delivers it;
* :mod:`engine.pack`: the policy pack as a child process driven over the analyzer gRPC
  protocol (:class:`~engine.pack.PackProcess`, :class:`~engine.pack.Report`);
* :mod:`engine.paths`: the repository root, the program, the pack and the stack files.
"""
