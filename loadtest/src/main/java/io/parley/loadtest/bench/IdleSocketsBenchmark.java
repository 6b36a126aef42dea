package io.parley.loadtest.bench; final class IdleSocketsBenchmark { static void main(String[] a) {} }
