package io.chatservice.bench;

import java.nio.file.Path;
import java.util.List;

/** Where the benchmark runs: the node jar, the cores, the scratch directory. */
record Settings(Path nodeJar, Path workDir, boolean pin, String serverCpus, String serverHeap,
                String pgUrl, String pgUser, List<String> nodeJavaOptions) {
}
