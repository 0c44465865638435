// Nothing to import: this target only carries the static link of cfitsio and HDF5 (Package.swift)
// and the network entry points their archives reference (network_stubs.c).
