/** {@code ppod}: PaperPod's HTTP API from a shell. The only module that writes to standard output. */
@NullMarked
package dev.paperpod.cli;

import org.jspecify.annotations.NullMarked;
