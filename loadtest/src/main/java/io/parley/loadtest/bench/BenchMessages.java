package io.parley.loadtest.bench;

/** The message text every figure writes: the same ~40 characters for the baselines and the sends. */
final class BenchMessages {

    private BenchMessages() {
    }

    static String content(int n) {
        return "benchmark message number " + n + " lorem ipsum";
    }
}
