/** The load harness: PaperPod's paths measured beside their baselines, in one run. */
@NullMarked
package dev.paperpod.benchmarks;

import org.jspecify.annotations.NullMarked;
