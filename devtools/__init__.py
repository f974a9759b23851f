"""Development helpers shared by the tests and the benchmarks (not part of the product): local
servers (`servers`) and the fault-injection scenarios of `make stress` (`stress`). Tests import
these, never `benchmarks/`; both use only geodata's public API."""
