@NullMarked
package dev.paperpod.worker.metrics;

import org.jspecify.annotations.NullMarked;
