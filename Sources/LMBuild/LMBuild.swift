// LMBuild module: see the overview in this file once the module lands.
