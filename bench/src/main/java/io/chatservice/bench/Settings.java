package io.chatservice.bench;

import java.nio.file.Path;

/** Where the benchmark runs: the node jar, the cores, the scratch directory. */
record Settings(Path nodeJar, Path workDir, boolean pin, String serverCpus, String serverHeap,
                String pgUrl, String pgUser) {
}
