@NullMarked
package dev.paperpod.worker.jobs;

import org.jspecify.annotations.NullMarked;
