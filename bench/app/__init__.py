"""The hello logic written against Portable, for the benchmarks."""
