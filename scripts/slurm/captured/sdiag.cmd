sdiag
