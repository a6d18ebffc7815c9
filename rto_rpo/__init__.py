"""The shared RTO/RPO model.

* :mod:`rto_rpo.figures` - AWS figures, each with its source;
* :mod:`rto_rpo.model` - the arithmetic: terms, estimates, their breakdown;
* :mod:`rto_rpo.inputs` - the input of an estimate (known and unknown terms) and the one
  function that estimates from it, for the program, the policy pack and the drill.
"""
